import * as assert from 'node:assert/strict';
import { foreignKeys, overseerEnv, terminalEnv } from '../../src/cli/processEnv';

describe('overseer environment', () => {
  // What an extension host started from inside a crew agent's tmux pane would see.
  const leaked: NodeJS.ProcessEnv = {
    PATH: '/usr/bin:/bin',
    HOME: '/home/u',
    GT_ROOT: '/towns/gt',
    GT_TOWN_ROOT: '/towns/gt',
    GT_TMUX_SOCKET: 'custom',
    ELECTRON_RUN_AS_NODE: '1',
    VSCODE_PID: '42',
    VSCODE_IPC_HOOK: '/tmp/x.sock',
    NODE_OPTIONS: '--inspect',
    CLAUDECODE: '1',
    CLAUDE_CODE_ENTRYPOINT: 'cli',
    CLAUDE_CODE_USE_BEDROCK: '1',
    BD_AGENT_MODE: '1',
    TMUX: '/tmp/tmux-1000/gt-abc123,1,0',
    TMUX_PANE: '%3',
    GT_ROLE: 'demo/crew/max',
    GT_RIG: 'demo',
    GT_CREW: 'max',
    GT_SESSION: 'dm-crew-max',
    GT_SESSION_ID: 'abc',
    GT_AGENT: 'claude',
    GT_ROLE_HOME: '/towns/gt/demo/crew/max',
    GT_PROCESS_NAMES: 'node,claude',
    BD_ACTOR: 'demo/crew/max',
    BEADS_AGENT_NAME: 'demo/max',
    CLAUDE_SESSION_ID: 'sid',
    GIT_AUTHOR_NAME: 'max',
    GIT_AUTHOR_EMAIL: 'u@example.com',
    UNSET: undefined,
  };

  it('drops VS Code, agent-session and identity variables, keeps the rest', () => {
    assert.deepEqual(overseerEnv(leaked), {
      PATH: '/usr/bin:/bin',
      HOME: '/home/u',
      GT_ROOT: '/towns/gt',
      GT_TOWN_ROOT: '/towns/gt',
      GT_TMUX_SOCKET: 'custom',
      // The user's account setup, which gt passes through to agents too.
      CLAUDE_CODE_USE_BEDROCK: '1',
      GIT_AUTHOR_EMAIL: 'u@example.com',
    });
  });

  it('drops VS Code\'s git askpass helper (useless without its IPC variables), keeps any other GIT_ASKPASS', () => {
    const vsc = overseerEnv({ GIT_ASKPASS: '/usr/lib/code-server/lib/vscode/extensions/git/dist/askpass.sh', VSCODE_GIT_IPC_HANDLE: '/tmp/x.sock', PATH: '/bin' });
    assert.deepEqual(vsc, { PATH: '/bin' });
    assert.deepEqual(overseerEnv({ GIT_ASKPASS: '/usr/bin/ksshaskpass' }), { GIT_ASKPASS: '/usr/bin/ksshaskpass' });
  });

  it('keeps a GIT_AUTHOR_NAME that is the user\'s own (no agent marker next to it)', () => {
    const env = overseerEnv({ PATH: '/bin', GIT_AUTHOR_NAME: 'Ada Lovelace' });
    assert.equal(env.GIT_AUTHOR_NAME, 'Ada Lovelace');
    assert.ok(foreignKeys({ GIT_AUTHOR_NAME: 'max', BD_ACTOR: 'demo/crew/max' }).includes('GIT_AUTHOR_NAME'));
  });

  it('applies extra on top: set on purpose, identity and town included', () => {
    const env = overseerEnv(leaked, { GT_ROLE: 'mayor', GT_ROOT: '/towns/other', NODE_OPTIONS: '' });
    assert.equal(env.GT_ROLE, 'mayor');
    assert.equal(env.GT_ROOT, '/towns/other');
    assert.equal(env.NODE_OPTIONS, '');
    assert.equal(env.GT_CREW, undefined);
  });

  it('matches keys in any case (Windows spells them freely)', () => {
    assert.deepEqual(overseerEnv({ Path: 'C:\\bin', Gt_Role: 'mayor', vscode_pid: '1' }), { Path: 'C:\\bin' });
  });

  it('does not change its input', () => {
    const parent = { PATH: '/bin', GT_ROLE: 'mayor' };
    overseerEnv(parent, { X: '1' });
    assert.deepEqual(parent, { PATH: '/bin', GT_ROLE: 'mayor' });
  });

  it('terminal env: unsets leaked agent variables, leaves VS Code\'s own to VS Code, extra wins', () => {
    const env = terminalEnv(leaked, { GT_ROLE: 'mayor', NODE_OPTIONS: '' });
    assert.equal(env.GT_ROLE, 'mayor');
    assert.equal(env.NODE_OPTIONS, '');
    assert.equal(env.GT_CREW, null);
    assert.equal(env.TMUX, null);
    assert.equal(env.CLAUDECODE, null);
    assert.equal(env.GIT_AUTHOR_NAME, null);
    assert.equal('VSCODE_PID' in env, false);
    assert.equal('ELECTRON_RUN_AS_NODE' in env, false);
    assert.equal('PATH' in env, false, 'the rest is inherited, not copied');
    // Unset even when the extension host does not have it: the terminal's base environment may.
    assert.equal(terminalEnv({}).BD_ACTOR, null);
    assert.equal('GIT_AUTHOR_NAME' in terminalEnv({ GIT_AUTHOR_NAME: 'Ada' }), false);
  });
});
