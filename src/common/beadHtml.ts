import MarkdownIt from 'markdown-it';
import type { BeadDetails, LinkedBead } from '../cli/beadSchemas';
import { escapeHtml } from './markdownText';

// The bead details page as HTML. Every bead string is escaped or goes through a Markdown renderer that
// outputs no raw HTML; images are never loaded (alt text instead); the page's CSP allows only our nonce'd script.

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
// Remote images would leak that the bead was viewed (and the CSP would block them anyway): show the alt text.
md.renderer.rules.image = (tokens, idx) => `<span class="img-alt">[image: ${escapeHtml(tokens[idx].content)}]</span>`;
const allowedLink = /^(https?:|mailto:)/i;
md.validateLink = (url: string) => allowedLink.test(url.trim());

export function renderMarkdown(text: string): string {
  return md.render(text);
}

export type BeadAction = 'setStatus' | 'setPriority' | 'setAssignee' | 'editLabels' | 'claim' | 'close' | 'reopen' | 'comment' | 'addDependency' | 'removeDependency' | 'copyId' | 'sling' | 'reveal' | 'refresh';

const ACTIONS: { action: BeadAction; label: string; when?: (b: BeadDetails) => boolean }[] = [
  { action: 'claim', label: 'Claim', when: (b) => b.status !== 'closed' },
  { action: 'setStatus', label: 'Status…' },
  { action: 'setPriority', label: 'Priority…' },
  { action: 'setAssignee', label: 'Assignee…' },
  { action: 'editLabels', label: 'Labels…' },
  { action: 'comment', label: 'Comment…' },
  { action: 'addDependency', label: 'Add dependency…' },
  { action: 'removeDependency', label: 'Remove dependency…', when: (b) => (b.dependencies ?? []).length > 0 },
  { action: 'sling', label: 'Sling…', when: (b) => b.status !== 'closed' },
  { action: 'close', label: 'Close…', when: (b) => b.status !== 'closed' },
  { action: 'reopen', label: 'Reopen', when: (b) => b.status === 'closed' },
  { action: 'copyId', label: 'Copy ID' },
  { action: 'reveal', label: 'Reveal in Beads view' },
];

function field(name: string, value: string | null | undefined): string {
  return value ? `<dt>${name}</dt><dd>${escapeHtml(value)}</dd>` : '';
}

function section(title: string, body: string | null | undefined): string {
  return body ? `<section><h2>${title}</h2><div class="md">${renderMarkdown(body)}</div></section>` : '';
}

function links(title: string, list: LinkedBead[] | null | undefined): string {
  if (!list || list.length === 0) {
    return '';
  }
  const items = list
    .map((d) => `<li><a href="#" class="bead-link" data-id="${escapeHtml(d.id)}">${escapeHtml(d.id)}</a> ${escapeHtml(d.title ?? '')} <span class="muted">${escapeHtml([d.dependency_type, d.status].filter((s) => s).join(' · '))}</span></li>`)
    .join('');
  return `<section><h2>${title}</h2><ul class="links">${items}</ul></section>`;
}

export interface PageOptions {
  cspSource: string;
  nonce: string;
  dbName: string;
}

export function beadPage(b: BeadDetails, opts: PageOptions): string {
  const comments = (b.comments ?? [])
    .map((c) => `<li class="comment"><div class="muted">${escapeHtml(c.author ?? 'someone')} · ${escapeHtml(c.created_at ?? '')}</div><div class="md">${renderMarkdown(c.text ?? '')}</div></li>`)
    .join('');
  const buttons = ACTIONS.filter((a) => !a.when || a.when(b))
    .map((a) => `<button data-action="${a.action}">${a.label}</button>`)
    .join('');
  const body = `
<header>
  <div class="muted" id="bead-id">${escapeHtml(b.id)} · ${escapeHtml(opts.dbName)}</div>
  <h1 id="bead-title">${escapeHtml(b.title ?? '')}</h1>
  <div class="actions">${buttons}</div>
</header>
<dl class="fields">
  ${field('Status', b.status)}${field('Priority', b.priority !== undefined && b.priority !== null ? `P${b.priority}` : undefined)}${field('Type', b.issue_type)}
  ${field('Assignee', b.assignee)}${field('Owner', b.owner)}${field('Labels', (b.labels ?? []).join(', '))}
  ${b.parent ? `<dt>Parent</dt><dd><a href="#" class="bead-link" data-id="${escapeHtml(b.parent)}">${escapeHtml(b.parent)}</a></dd>` : ''}
  ${field('Created', b.created_at)}${field('Updated', b.updated_at)}${field('Closed', b.closed_at)}${field('Close reason', b.close_reason)}
</dl>
<section><h2>Description</h2><div class="md" id="description">${b.description ? renderMarkdown(b.description) : '<p class="muted">No description.</p>'}</div></section>
${section('Design', b.design)}${section('Acceptance criteria', b.acceptance_criteria)}${section('Notes', b.notes)}
${links('Depends on', b.dependencies)}${links('Dependents', b.dependents)}
<section><h2>Comments</h2>${comments ? `<ul class="comments">${comments}</ul>` : '<p class="muted">No comments.</p>'}</section>`;
  return webviewPage(body, opts);
}

export function missingPage(id: string, opts: PageOptions): string {
  return webviewPage(`<h1>${escapeHtml(id)}</h1><p id="missing">This bead no longer exists in ${escapeHtml(opts.dbName)}: it was deleted, or its database was replaced.</p>`, opts);
}

export function errorPage(id: string, message: string, opts: PageOptions): string {
  return webviewPage(`<h1>${escapeHtml(id)}</h1><p id="error">Could not read this bead: ${escapeHtml(message)}</p><div class="actions"><button data-action="refresh">Retry</button></div>`, opts);
}

/** The page shell every details tab uses: theme colours, strict CSP, one nonce'd script for buttons and links. */
export function webviewPage(body: string, opts: Pick<PageOptions, 'cspSource' | 'nonce'>): string {
  // No remote anything: styles inline by hash-free nonce, images only from the webview itself, one script.
  const csp = `default-src 'none'; img-src ${opts.cspSource} data:; style-src 'nonce-${opts.nonce}'; script-src 'nonce-${opts.nonce}';`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style nonce="${opts.nonce}">
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 20px 20px; max-width: 60em; }
h1 { font-size: 1.5em; margin: 0.2em 0 0.5em; word-break: break-word; }
h2 { font-size: 1.1em; border-bottom: 1px solid var(--vscode-panel-border); padding-bottom: 2px; }
.muted { color: var(--vscode-descriptionForeground); }
dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; }
dt { color: var(--vscode-descriptionForeground); }
dd { margin: 0; word-break: break-word; }
.actions { display: flex; flex-wrap: wrap; gap: 6px; margin: 8px 0; }
button { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); border: none; padding: 4px 10px; cursor: pointer; border-radius: 2px; }
button:hover { background: var(--vscode-button-secondaryHoverBackground); }
a { color: var(--vscode-textLink-foreground); }
pre, code { font-family: var(--vscode-editor-font-family); background: var(--vscode-textCodeBlock-background); }
pre { padding: 8px; overflow-x: auto; }
ul.comments, ul.links { padding-left: 1.2em; }
.img-alt { color: var(--vscode-descriptionForeground); font-style: italic; }
</style></head>
<body>${body}
<script nonce="${opts.nonce}">
const vscode = acquireVsCodeApi();
document.addEventListener('click', (e) => {
  const t = e.target instanceof Element ? e.target.closest('[data-action],[data-id]') : null;
  if (!t) return;
  if (t.dataset.action) { vscode.postMessage({ action: t.dataset.action }); }
  else if (t.dataset.id) { e.preventDefault(); vscode.postMessage({ action: 'open', id: t.dataset.id }); }
});
</script>
</body></html>`;
}
