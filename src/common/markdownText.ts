/**
 * Text from a bead or a message, made inert for a Markdown surface (tooltips, hovers): every ASCII punctuation
 * character that Markdown or VS Code gives a meaning (`[`, `!`, `<`, `$`, `` ` ``, `*` …) is backslash-escaped,
 * so `[x](y)`, `![i](u)`, `$(icon)` and `<script>` render as the characters typed.
 */
export function escapeMarkdown(text: string): string {
  // Control characters (other than tab) could reshape the hover; they are shown as spaces.
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ').replace(/[\\`*_{}[\]()#+\-.!|<>$~&"'=:]/g, '\\$&').replace(/\n/g, '  \n');
}

/** The same text for HTML: the bead details page puts no bead string into markup unescaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
