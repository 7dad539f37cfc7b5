import * as assert from 'node:assert/strict';
import { beadPage, missingPage } from '../../src/common/beadHtml';
import { escapeMarkdown } from '../../src/common/markdownText';

const hostile = 'Fix [link](http://example.com) ![img](http://example.com/i.png) $(alert) <script>alert(1)</script> `rm -rf /` $(touch /tmp/x)';
const opts = { cspSource: 'vscode-webview://x', nonce: 'NONCE123', dbName: 'demo' };

describe('bead text on Markdown and HTML surfaces', () => {
  it('escapes every Markdown-active character of a title (tooltips)', () => {
    const md = escapeMarkdown(hostile);
    // Each Markdown-active character is preceded by a backslash.
    for (const ch of ['[', ']', '(', '!', '$', '<', '>', '`']) {
      const bare = new RegExp(`(?<!\\\\)\\${ch}`);
      assert.ok(!bare.test(md), `an unescaped "${ch}" in ${md}`);
    }
    // Unescaping the backslashes gives the text back: nothing is lost.
    assert.equal(md.replace(/\\(.)/g, '$1'), hostile);
  });

  it('where a hover draws codicons, `$(` gets the escaped-icon spelling that survives Markdown', () => {
    assert.equal(escapeMarkdown('a $(alert) b', { themeIcons: true }), 'a \\\\$(alert\\) b');
    assert.equal(escapeMarkdown('a $(alert) b'), 'a \\$\\(alert\\) b');
  });

  it('the details page shows the title literally, runs no bead script, loads no remote image', () => {
    const html = beadPage(
      {
        id: 'de-1',
        title: hostile,
        status: 'open',
        priority: 1,
        description: '# Heading\n\n- item\n\n[ok link](https://example.com) [bad](javascript:alert(1))\n\n<img src=x onerror=alert(1)>\n\n<script>alert(2)</script>\n\n![remote](http://example.com/i.png)\n\n```\n$(touch /tmp/y)\n```',
        comments: [{ author: '<b>eve</b>', text: '<script>alert(3)</script>' }],
        dependencies: [{ id: 'de-"2', title: '<i>x</i>', dependency_type: 'blocks' }],
      },
      opts,
    );
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    assert.deepEqual(scripts, ['<script nonce="NONCE123">'], 'only our own script');
    assert.ok(!/<img\b/i.test(html), 'no image element at all');
    assert.ok(!/onerror=/i.test(html.replace(/&lt;img src=x onerror=alert\(1\)&gt;/, '')), 'the handler only as text');
    assert.ok(!/href="javascript:/i.test(html), 'no javascript: link');
    assert.ok(html.includes('<h1>Heading</h1>'), 'Markdown is rendered');
    assert.ok(html.includes('<a href="https://example.com">ok link</a>'));
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the title shows the tag as text');
    assert.ok(html.includes('[image: remote]'));
    assert.ok(html.includes("default-src 'none'"));
    assert.ok(html.includes('data-id="de-&quot;2"'));
    assert.ok(!html.includes('<b>eve</b>'));
  });

  it('a bead that no longer exists says so', () => {
    assert.match(missingPage('de-9', opts), /no longer exists/);
  });
});
