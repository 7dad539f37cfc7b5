#!/usr/bin/env node
// A small, real stand-in for a coding agent, used by the tests as the `testagent` preset.
//
// Interactive:  node test-agent.mjs [--resume <id>] [--continue] [initial prompt]
//   After TEST_AGENT_READY_DELAY_MS (default 300) it prints `STARTED_IN_MS:<its own start-up>` and the ready
//   prompt `test-agent> `,
//   then answers each message with `echo: <message>`, `INPUT:<json of the exact message>` and, for these
//   commands, one more line:
//     /argv  -> ARGV:<json of argv after the script>
//     /cwd   -> CWD:<json string of the cwd>
//     /env   -> ENV:<json of the GT_*, BD_*, BEADS_*, GIT_*, TEST_AGENT_* vars and NODE_OPTIONS, CLAUDECODE>
//     /exit  -> exits 0
//     /crash -> exits 3
//   and prints the prompt again after every reply.
// Input, on a terminal: raw mode, read as real agent UIs read it. A bracketed paste (ESC[200~ … ESC[201~) is one
// message, newlines kept; Enter submits. Like them it tells a paste from typing by timing: an Enter within
// TEST_AGENT_PASTE_GUARD_MS (default 30) of a paste's end, or at the end of a burst of 63 or more characters
// written at once, is taken as part of the paste (a newline, not a submit). Ctrl-C exits 130.
// On a pipe: one message per line.
// Non-interactive:  node test-agent.mjs exec -p <prompt> [--json]  -> prints EXEC:<json prompt>, exits 0.
//
// No dependencies. Output is line-oriented and written with process.stdout.write.

import readline from 'node:readline';

const PROMPT = 'test-agent> ';
const argv = process.argv.slice(2);

function out(text) {
  process.stdout.write(text);
}

function line(text) {
  out(text + '\n');
}

function selectedEnv() {
  const picked = {};
  for (const name of Object.keys(process.env).sort()) {
    if (
      /^(GT_|BD_|BEADS_|GIT_|TEST_AGENT_)/.test(name) ||
      name === 'NODE_OPTIONS' ||
      name === 'CLAUDECODE'
    ) {
      picked[name] = process.env[name];
    }
  }
  return picked;
}

function parseArgs(args) {
  const parsed = { exec: false, prompt: undefined, json: false, resume: undefined, cont: false, positional: [] };
  let i = 0;
  if (args[0] === 'exec') {
    parsed.exec = true;
    i = 1;
  }
  for (; i < args.length; i++) {
    const a = args[i];
    if (a === '--resume') {
      parsed.resume = args[++i] ?? '';
    } else if (a.startsWith('--resume=')) {
      parsed.resume = a.slice('--resume='.length);
    } else if (a === '--continue') {
      parsed.cont = true;
    } else if (a === '-p' || a === '--prompt') {
      parsed.prompt = args[++i] ?? '';
    } else if (a === '--json') {
      parsed.json = true;
    } else if (a === '--') {
      parsed.positional.push(...args.slice(i + 1));
      break;
    } else {
      parsed.positional.push(a);
    }
  }
  return parsed;
}

const opts = parseArgs(argv);

if (opts.exec) {
  const prompt = opts.prompt ?? opts.positional.join(' ');
  line('EXEC:' + JSON.stringify(prompt));
  if (opts.json) {
    line(JSON.stringify({ type: 'result', prompt, argv }));
  }
  process.exitCode = 0;
} else {
  runInteractive();
}

function runInteractive() {
  // The terminal is put in raw mode before anything is printed, as agent UIs do: input that arrives after the
  // first line must not meet a cooked terminal (which would echo it and hold it back).
  const announce = () => {
    if (opts.resume !== undefined) line('RESUMED:' + opts.resume);
    if (opts.cont) line('CONTINUED');
    if (opts.positional.length > 0) line('PROMPT:' + JSON.stringify(opts.positional.join(' ')));
  };

  const delay = Number.parseInt(process.env.TEST_AGENT_READY_DELAY_MS ?? '', 10);
  const readyDelay = Number.isFinite(delay) && delay >= 0 ? delay : 300;

  let ready = false;
  const pending = [];
  let exiting = false;

  function exit(code) {
    exiting = true;
    // Let stdout drain before leaving.
    process.stdout.write('', () => process.exit(code));
  }

  function handle(input) {
    if (exiting) return;
    const text = input.replace(/\r$/, '');
    line('echo: ' + text);
    line('INPUT:' + JSON.stringify(text));
    const cmd = text.trim();
    switch (cmd) {
      case '/argv':
        line('ARGV:' + JSON.stringify(argv));
        break;
      case '/cwd':
        line('CWD:' + JSON.stringify(process.cwd()));
        break;
      case '/env':
        line('ENV:' + JSON.stringify(selectedEnv()));
        break;
      case '/exit':
        line('BYE');
        exit(0);
        return;
      case '/crash':
        line('CRASH');
        exit(3);
        return;
      default:
        break;
    }
    out(PROMPT);
  }

  const submit = (message) => {
    if (ready) handle(message);
    else pending.push(message);
  };

  if (process.stdin.isTTY) {
    readRaw(submit, () => exit(130));
    announce();
  } else {
    announce();
    const rl = readline.createInterface({ input: process.stdin, terminal: false, crlfDelay: Infinity });
    rl.on('line', submit);
    rl.on('close', () => {
      // stdin ended (pipe closed): answer what is left, then leave quietly.
      const finish = () => {
        if (!exiting) exit(0);
      };
      if (ready) finish();
      else setTimeout(finish, readyDelay + 10);
    });
  }

  setTimeout(() => {
    ready = true;
    // Its own start-up, for `npm run bench` (the time a host needs beyond it is the host's).
    line('STARTED_IN_MS:' + Math.round(process.uptime() * 1000));
    out(PROMPT);
    for (const l of pending.splice(0)) handle(l);
  }, readyDelay);

  process.on('SIGTERM', () => exit(143));
  process.on('SIGHUP', () => exit(129));
}

/** Raw terminal input with bracketed-paste and burst detection (see the header). */
function readRaw(submit, interrupt) {
  const guard = Number.parseInt(process.env.TEST_AGENT_PASTE_GUARD_MS ?? '', 10);
  const guardMs = Number.isFinite(guard) && guard >= 0 ? guard : 30;
  const BURST = 63;
  let buf = '';
  let inPaste = false;
  let pasteEnd = 0;
  process.stdin.setRawMode(true);
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => {
    let typedInChunk = 0;
    for (let i = 0; i < chunk.length; ) {
      if (chunk.startsWith('\x1b[200~', i)) {
        inPaste = true;
        i += 6;
        continue;
      }
      if (chunk.startsWith('\x1b[201~', i)) {
        inPaste = false;
        pasteEnd = Date.now();
        i += 6;
        continue;
      }
      const c = chunk[i++];
      if (inPaste) {
        buf += c === '\r' ? '\n' : c;
        continue;
      }
      if (c === '\x03') {
        interrupt();
        return;
      }
      if (c === '\r' || c === '\n') {
        if (Date.now() - pasteEnd < guardMs || typedInChunk >= BURST) {
          buf += '\n';
          continue;
        }
        submit(buf);
        buf = '';
        typedInChunk = 0;
        continue;
      }
      if (c === '\x7f') {
        buf = buf.slice(0, -1);
        continue;
      }
      buf += c;
      typedInChunk++;
    }
  });
}
