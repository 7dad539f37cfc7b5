import * as vscode from 'vscode';
import { escapeMarkdown } from '../../common/markdownText';

/**
 * A hover for data from gt or bd: a bold title and `Key: value` lines, every string escaped and the Markdown
 * untrusted (no command links, no HTML, no codicons), so a title with a link, `$(icon)` or `<script>` shows as typed.
 */
export function safeTooltip(title: string, rows: readonly (readonly [string, string | null | undefined])[], body?: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, false);
  md.isTrusted = false;
  md.supportHtml = false;
  md.appendMarkdown(`**${escapeMarkdown(title)}**\n\n`);
  for (const [k, v] of rows) {
    if (v) {
      md.appendMarkdown(`${escapeMarkdown(k)}: ${escapeMarkdown(v)}  \n`);
    }
  }
  if (body) {
    md.appendMarkdown(`\n${escapeMarkdown(body)}`);
  }
  return md;
}
