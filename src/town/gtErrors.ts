// Known gt failures, explained: what gt printed → the cause and the fix, in words a user can act on.
// Pure (no vscode, no I/O): unit-tested.

/** What the caller knows about the failed command: the bead it named and the town's rigs. */
export interface GtErrorContext {
  /** The bead the command was about (e.g. the bead of `gt sling <bead> <target>`). */
  beadId?: string;
  /** The town's rigs and their beads prefixes (without the trailing `-`), as in mayor/rigs.json. */
  rigs: readonly { name: string; prefix: string }[];
}

/** The rig whose prefix the bead id carries (`<prefix>-<hash>`); the longest prefix wins (`a-b-x1` → `a-b`). */
export function rigOfBead(beadId: string, rigs: GtErrorContext['rigs']): { name: string; prefix: string } | undefined {
  let best: { name: string; prefix: string } | undefined;
  for (const rig of rigs) {
    if (rig.prefix && beadId.startsWith(`${rig.prefix}-`) && beadId.length > rig.prefix.length + 1 && (!best || rig.prefix.length > best.prefix.length)) {
      best = rig;
    }
  }
  return best;
}

// gt v1.2.1 as released (beads v1.0.0 inside, bd 1.0.x), `gt sling <rig bead> <rig>`:
//   "Error: checking bead status: bead 'de-4j9' not found"   (then cobra's usage text)
// and other paths of internal/cmd/sling_helpers.go: "bead '<id>' not found (bd show failed: …)".
const BEAD_NOT_FOUND = /\bbead '([^'\s]+)' not found\b/;
// gt v1.2.1 rebuilt against a newer beads (upstream's advice in gastownhall/gastown#4789) but without
// the fix finds the bead through bd's prefix routes, then fails where it runs bd pinned to the rig:
//   "Error: instantiating formula mol-polecat-work: bonding formula to bead: exit status 1 (direct
//    formula bond fallback failed: exit status 1 (args: mol bond mol-polecat-work de-my6 --json …))"
const BOND_FAILED = /\bbonding formula to bead: .*?\bmol bond \S+ ([^\s)]+)/;

const CAUSE =
  'gt v1.2.1 looks rig beads up in the town\'s (hq) database: it passes BEADS_DOLT_DATA_DIR to every bd call pinned to a rig ' +
  '(internal/beads/database.go, doltTargetEnvFromBeadsDir), and with it bd opens the town\'s database instead of the rig\'s.';
const FIX =
  'Fix: use a gt built from upstream main, where this is fixed (the gastownhall/gastown#4789-era fix), ' +
  'or gt v1.2.1 rebuilt without that BEADS_DOLT_DATA_DIR block (as this extension\'s scripts/gastown-stack.sh does).';

/**
 * An explanation of gt's error `message` (its stderr may be appended), or undefined when it is not a
 * failure this knows, or not about a bead of one of the town's rigs.
 *
 * Known: gt v1.2.1 reports beads of a rig's own database "not found" (or fails to bond its formula to
 * them), because it adds BEADS_DOLT_DATA_DIR=<town>/.dolt-data to bd calls pinned to a rig's `.beads`, and
 * bd then opens the town's (hq) database, where rig beads are not. Upstream main removed the variable
 * after v1.2.1; no release has the fix yet.
 */
export function explainGtError(message: string, context: GtErrorContext): string | undefined {
  const notFound = BEAD_NOT_FOUND.exec(message);
  const bond = notFound ? undefined : BOND_FAILED.exec(message);
  const match = notFound ?? bond;
  if (!match) {
    return undefined;
  }
  const id = match[1];
  if (context.beadId !== undefined && context.beadId !== id) {
    return undefined;
  }
  const rig = rigOfBead(id, context.rigs);
  if (!rig) {
    // An hq bead (or an unknown prefix) that gt cannot find is just not there: gt's message says it.
    return undefined;
  }
  const what = `${id} is a bead of rig "${rig.name}" (prefix ${rig.prefix}-)`;
  if (notFound) {
    return `gt reports bead ${id} "not found", but ${what}. If \`bd show ${id}\` in the rig's folder finds it, this is a bug of gt v1.2.1: ${CAUSE} ${FIX} gt said: ${notFound[0]}`;
  }
  return (
    `gt could not bond its formula to bead ${id} (${what}). On a gt v1.2.1 built without upstream's later fix (e.g. rebuilt against a newer beads) ` +
    `this is a known bug: ${CAUSE} ${FIX} gt said: ${match[0]}`
  );
}
