import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

// For machines that can download VS Code (a desktop, public CI): the same extension-host suite as the
// code-server harness. Needs GASTOWN_TEST_TOWN pointing at a town (scripts/demo-town.sh build <dir>).
async function main(): Promise<void> {
  const town = process.env.GASTOWN_TEST_TOWN;
  if (!town) {
    throw new Error('set GASTOWN_TEST_TOWN to a town made by scripts/demo-town.sh');
  }
  const root = path.resolve(__dirname, '..', '..', '..');
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'out', 'test', 'integration', 'index.js'),
    launchArgs: [town, '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: { GASTOWN_TEST_TOWN: town },
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
