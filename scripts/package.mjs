// Builds the minified bundle and the .vsix, then prints both sizes.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { version, name } = require('../package.json');
const out = `${name}-${version}.vsix`;
execFileSync(process.execPath, ['esbuild.mjs', '--production'], { stdio: 'inherit' });
const vsce = require.resolve('@vscode/vsce/vsce');
execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', out], { stdio: 'inherit' });
const kib = (f) => (statSync(f).size / 1024).toFixed(1);
console.log(`vsix ${out}: ${kib(out)} KiB; bundle dist/extension.js: ${kib('dist/extension.js')} KiB`);
