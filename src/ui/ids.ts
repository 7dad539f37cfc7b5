// The one place for command ids, view ids and context keys; package.json is checked against it by a test.

export const COMMANDS = {
  selectTown: 'gastown.selectTown',
  openTownSettings: 'gastown.openTownSettings',
  openAgentRegistry: 'gastown.openAgentRegistry',
  showResolvedAgent: 'gastown.showResolvedAgent',
  refresh: 'gastown.refresh',
  showLog: 'gastown.showLog',
  startAgent: 'gastown.startAgent',
  attachAgent: 'gastown.attachAgent',
  stopAgent: 'gastown.stopAgent',
  restartAgent: 'gastown.restartAgent',
  resumeAgent: 'gastown.resumeAgent',
  nudgeAgent: 'gastown.nudgeAgent',
  slingWork: 'gastown.slingWork',
  primeRole: 'gastown.primeRole',
  runNonInteractive: 'gastown.runNonInteractive',
  showAgentEnv: 'gastown.showAgentEnv',
  showAgentTerminal: 'gastown.showAgentTerminal',
} as const;

export const TERMINAL_PROFILE = 'gastown.agentTerminal';

export const VIEWS = {
  town: 'gastown.town',
  beads: 'gastown.beads',
  mail: 'gastown.mail',
  convoys: 'gastown.convoys',
} as const;

export const CONTEXT = {
  /** True once a town was found for the workspace. */
  townFound: 'gastown.townFound',
  /** True while discovery runs, so views show "loading" instead of "no town". */
  loading: 'gastown.loading',
} as const;

export const DOC_SCHEME = 'gastown';
