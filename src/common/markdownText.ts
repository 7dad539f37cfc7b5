/**
 * Text from a bead or a message, made inert for a Markdown surface (tooltips, hovers): every ASCII punctuation
 * character that Markdown or VS Code gives a meaning (`[`, `!`, `<`, `$`, `` ` ``, `*` …) is backslash-escaped,
 * so `[x](y)`, `![i](u)`, `$(icon)` and `<script>` render as the characters typed.
 */
export function escapeMarkdown(text: string, opts: { themeIcons?: boolean } = {}): string {
  // Control characters (other than tab) could reshape the hover; they are shown as spaces.
  const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ');
  const escaped = clean.replace(/[\\`*_{}[\]()#+\-.!|<>$~&"'=:]/g, '\\$&').replace(/\n/g, '  \n');
  // Where the hover draws codicons, Markdown first turns `\$\(` back into `$(` and the icon pass then draws it;
  // `\\$(` reaches that pass as `\$(`, VS Code's escaped icon, shown as typed.
  return opts.themeIcons ? escaped.replace(/\\\$\\\(/g, '\\\\$(') : escaped;
}

/** Text for a label that draws `$(name)` as an icon (QuickPick items, status bar): VS Code's codicon escape. */
export function escapeIcons(text: string): string {
  return text.replace(/\$\(/g, '\\$(');
}

/** The same text for HTML: the bead details page puts no bead string into markup unescaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
