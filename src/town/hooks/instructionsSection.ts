/**
 * For agents without lifecycle hooks: a section of their instructions file (AGENTS.md by default) that tells them
 * to run `gt prime`, between marker comments; the rest of the file is the user's and stays as it is.
 */

export const BEGIN_MARK = '<!-- BEGIN GAS TOWN PRIME (written by Gas Town for VS Code; edits inside are replaced) -->';
export const END_MARK = '<!-- END GAS TOWN PRIME -->';

export function primeSection(autonomous: boolean): string {
  const start = autonomous ? '`gt prime` and then `gt mail check --inject`' : '`gt prime`';
  return [
    BEGIN_MARK,
    '## Gas Town',
    '',
    `You are an agent in a Gas Town. Before anything else in a new session, run ${start} and follow what it prints:`,
    'it tells you your role, your work and how to report. Run `gt prime` again after your context is compacted or',
    'cleared. Your identity comes from `gt prime` (the GT_ROLE environment variable), never from files you read.',
    END_MARK,
  ].join('\n');
}

/** The file with the section in place: replaced between the markers, or appended after a blank line. */
export function withPrimeSection(existing: string | undefined, section: string): string {
  const text = existing ?? '';
  const begin = text.indexOf(BEGIN_MARK);
  const end = begin >= 0 ? text.indexOf(END_MARK, begin) : -1;
  if (begin >= 0 && end >= 0) {
    return text.slice(0, begin) + section + text.slice(end + END_MARK.length);
  }
  if (text === '') {
    return section + '\n';
  }
  const sep = text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
  return text + sep + section + '\n';
}
