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
  installAgentHooks: 'gastown.installAgentHooks',
  nudgeDraftSend: 'gastown.nudgeDraftSend',
  nudgeDraftCancel: 'gastown.nudgeDraftCancel',
  writeAgentWrappers: 'gastown.writeAgentWrappers',
  beadsRefresh: 'gastown.beads.refresh',
  beadsGroupBy: 'gastown.beads.groupBy',
  beadsFilter: 'gastown.beads.filter',
  beadsClearFilter: 'gastown.beads.clearFilter',
  beadsSearch: 'gastown.beads.search',
  beadsShowMore: 'gastown.beads.showMore',
  beadsOpen: 'gastown.beads.openBead',
  beadsCreate: 'gastown.beads.create',
  beadsSetStatus: 'gastown.beads.setStatus',
  beadsSetPriority: 'gastown.beads.setPriority',
  beadsSetAssignee: 'gastown.beads.setAssignee',
  beadsEditLabels: 'gastown.beads.editLabels',
  beadsClaim: 'gastown.beads.claim',
  beadsClose: 'gastown.beads.close',
  beadsReopen: 'gastown.beads.reopen',
  beadsComment: 'gastown.beads.comment',
  beadsAddDependency: 'gastown.beads.addDependency',
  beadsRemoveDependency: 'gastown.beads.removeDependency',
  beadsCopyId: 'gastown.beads.copyId',
  beadsSling: 'gastown.beads.sling',
  beadsReveal: 'gastown.beads.reveal',
  startDolt: 'gastown.startDolt',
  mailRefresh: 'gastown.mail.refresh',
  mailPickIdentity: 'gastown.mail.pickIdentity',
  mailOpenMessage: 'gastown.mail.openMessage',
  mailMarkRead: 'gastown.mail.markRead',
  mailMarkUnread: 'gastown.mail.markUnread',
  mailArchive: 'gastown.mail.archive',
  mailReply: 'gastown.mail.reply',
  mailNew: 'gastown.mail.newMessage',
  escalationsShow: 'gastown.escalations.show',
  escalationsAck: 'gastown.escalations.ack',
  escalationsClose: 'gastown.escalations.close',
  escalationsRefresh: 'gastown.escalations.refresh',
  activityRefresh: 'gastown.activity.refresh',
  activityOpen: 'gastown.activity.openEvent',
  convoysRefresh: 'gastown.convoys.refresh',
  convoysCreate: 'gastown.convoys.create',
  convoysAdd: 'gastown.convoys.add',
  convoysClose: 'gastown.convoys.close',
  convoysLand: 'gastown.convoys.land',
  convoysShowClosed: 'gastown.convoys.showClosed',
  convoysHideClosed: 'gastown.convoys.hideClosed',
} as const;

export const TERMINAL_PROFILE = 'gastown.agentTerminal';

export const VIEWS = {
  town: 'gastown.town',
  beads: 'gastown.beads',
  mail: 'gastown.mail',
  convoys: 'gastown.convoys',
  activity: 'gastown.activity',
} as const;

export const CONTEXT = {
  /** True once a town was found for the workspace. */
  townFound: 'gastown.townFound',
  /** True while discovery runs, so views show "loading" instead of "no town". */
  loading: 'gastown.loading',
  /** True when some beads database (a town's or the workspace's own) was found. */
  beadsFound: 'gastown.beadsFound',
  /** True while a Beads view filter narrows the list (shows "Clear filter"). */
  beadsFiltered: 'gastown.beadsFiltered',
  /** Why the views cannot work: untrusted, gt-missing, bd-missing, dolt-down, bd-old, or empty when they can. */
  blocked: 'gastown.blocked',
  /** Why the Convoys view is empty on purpose (its welcome view says): untrusted, gt-missing, empty; '' otherwise. */
  convoysState: 'gastown.convoysState',
  /** True while the Convoys view lists closed convoys too. */
  convoysShowClosed: 'gastown.convoysShowClosed',
} as const;

export const DOC_SCHEME = 'gastown';
