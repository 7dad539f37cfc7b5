import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeEvent, EventLogReader, RecentEvents } from '../../src/model/eventLog';
import { descriptionFields, summarize, toEscalation, toNotify } from '../../src/model/escalations';

// Real files in a temporary directory; the lines are copied from a real gt v1.2.1 demo town's .events.jsonl.
const SENT = '{"ts":"2026-11-21T23:01:00Z","source":"gt","type":"escalation_sent","actor":"overseer","payload":{"actions":"bead,mail:mayor","reason":"Dolt refuses writes","rig":"hq-wisp-er5","severity":"critical","source":"demo-town","target":"overseer","to":"mayor"},"visibility":"feed"}';
const ACKED = '{"ts":"2026-11-21T23:01:07Z","source":"gt","type":"escalation_acked","actor":"overseer","payload":{"acked_by":"overseer","escalation_id":"hq-wisp-6du"},"visibility":"feed"}';
const HOOK = '{"ts":"2026-11-21T23:00:31Z","source":"gt","type":"hook","actor":"mayor/","payload":{"bead":"hq-93w"},"visibility":"feed"}';
const MAIL = '{"ts":"2026-11-21T23:00:37Z","source":"gt","type":"mail","actor":"overseer","payload":{"subject":"Welcome","to":"mayor/"},"visibility":"feed"}';

describe('event log reader', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gt-events-'));
    file = path.join(dir, '.events.jsonl');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads whole lines, then only the appended bytes; a partial last line waits for its newline', async () => {
    fs.writeFileSync(file, `${HOOK}\n${MAIL}\n`);
    const r = new EventLogReader(file);
    const first = await r.read();
    assert.deepEqual(first.events.map((e) => e.type), ['hook', 'mail']);
    assert.equal(r.position, fs.statSync(file).size);
    fs.appendFileSync(file, SENT.slice(0, 40));
    assert.deepEqual((await r.read()).events, []);
    fs.appendFileSync(file, `${SENT.slice(40)}\n${ACKED}\n`);
    const next = await r.read();
    assert.deepEqual(next.events.map((e) => e.type), ['escalation_sent', 'escalation_acked']);
    assert.equal(next.reset, false);
    assert.deepEqual((await r.read()).events, []);
  });

  it('skips garbage lines; starts over on truncation and on a replaced file', async () => {
    fs.writeFileSync(file, `${HOOK}\nnot json\n[1]\n${MAIL}\n`);
    const r = new EventLogReader(file);
    assert.equal((await r.read()).events.length, 2);
    fs.writeFileSync(file, `${ACKED}\n`);
    const t = await r.read();
    assert.equal(t.reset, true);
    assert.deepEqual(t.events.map((e) => e.type), ['escalation_acked']);
    // Rotation: a new file (new inode) bigger than the old offset.
    fs.renameSync(file, `${file}.1`);
    fs.writeFileSync(file, `${HOOK}\n${MAIL}\n${SENT}\n`);
    const rot = await r.read();
    assert.equal(rot.reset, true);
    assert.equal(rot.events.length, 3);
    fs.rmSync(file);
    assert.deepEqual(await r.read(), { events: [], reset: true });
  });

  it('the first read takes only the tail of a large log, from a line start', async () => {
    fs.writeFileSync(file, `${HOOK}\n`.repeat(1000) + `${MAIL}\n`);
    const r = new EventLogReader(file, 1000);
    const ev = (await r.read()).events;
    assert.ok(ev.length > 0 && ev.length < 10, `${ev.length}`);
    assert.equal(ev[ev.length - 1].type, 'mail');
  });

  it('keeps the newest events first, bounded', () => {
    const recent = new RecentEvents(3);
    const mk = (n: number) => ({ ts: String(n), type: 't', actor: '', payload: {}, key: String(n) });
    recent.add({ events: [mk(1), mk(2)], reset: false });
    recent.add({ events: [mk(3), mk(4)], reset: false });
    assert.deepEqual(recent.events.map((e) => e.key), ['4', '3', '2']);
    recent.add({ events: [mk(5)], reset: true });
    assert.deepEqual(recent.events.map((e) => e.key), ['5']);
  });

  it('names the bead or agent an event is about (gt logs escalation_sent with the id under `rig`)', async () => {
    fs.writeFileSync(file, `${SENT}\n${ACKED}\n${HOOK}\n${MAIL}\n`);
    const [sent, acked, hook, mail] = (await new EventLogReader(file).read()).events.map(describeEvent);
    assert.equal(sent.bead, 'hq-wisp-er5');
    assert.equal(sent.agent, undefined);
    assert.equal(acked.bead, 'hq-wisp-6du');
    assert.equal(hook.bead, 'hq-93w');
    assert.equal(mail.agent, 'mayor/');
    assert.equal(mail.kind, 'mail');
  });
});

describe('escalations model', () => {
  it('reads severity and acked from labels, fields from the description (null = empty)', () => {
    const e = toEscalation({
      id: 'hq-wisp-6du',
      title: 'Refinery stalled',
      description: 'Refinery stalled\n\nseverity: high\nreason: Raised by demo\nsource: demo-town\nescalated_by: overseer\nrelated_bead: null',
      labels: ['acked', 'gt:escalation', 'severity:high'],
    });
    assert.equal(e.severity, 'high');
    assert.equal(e.acked, true);
    assert.equal(e.reason, 'Raised by demo');
    assert.equal(e.relatedBead, undefined);
    assert.equal(descriptionFields('related_bead: de-12').related_bead, 'de-12');
  });

  it('summary colour follows the unacknowledged; notifications only for new critical/high unacked', () => {
    const list = [
      toEscalation({ id: 'a', labels: ['severity:high', 'acked'] }),
      toEscalation({ id: 'b', labels: ['severity:medium'] }),
      toEscalation({ id: 'c', labels: ['severity:critical'] }),
    ];
    assert.deepEqual(summarize(list), { count: 3, highest: 'critical', highestUnacked: 'critical' });
    assert.deepEqual(summarize(list.slice(0, 2)), { count: 2, highest: 'high', highestUnacked: 'medium' });
    assert.deepEqual(toNotify(list, new Set()).map((e) => e.id), ['c']);
    assert.deepEqual(toNotify(list, new Set(['c'])), []);
  });
});
