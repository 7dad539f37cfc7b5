import * as vscode from 'vscode';

/**
 * Asks for a nudge. One line in an input box; its button (or a message over one line) opens an editor, since an
 * input box turns newlines into spaces. The editor is an untitled document: Send takes its text, Cancel drops it.
 */
export async function askNudge(agent: string): Promise<string | undefined> {
  const box = vscode.window.createInputBox();
  box.title = `Nudge ${agent}`;
  box.prompt = 'A message for the agent (sent as literal text). For several lines, use the editor button.';
  const editor: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('note'), tooltip: 'Write a longer message in an editor' };
  box.buttons = [editor];
  const choice = await new Promise<{ text?: string; editor?: boolean }>((resolve) => {
    box.onDidAccept(() => resolve({ text: box.value }));
    box.onDidTriggerButton((b) => resolve(b === editor ? { editor: true, text: box.value } : {}));
    box.onDidHide(() => resolve({}));
    box.show();
  });
  box.dispose();
  if (!choice.editor) {
    return choice.text || undefined;
  }
  return askInEditor(agent, choice.text ?? '');
}

async function askInEditor(agent: string, start: string): Promise<string | undefined> {
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: start });
  await vscode.window.showTextDocument(doc, { preview: false });
  const send = 'Send';
  const pick = await vscode.window.showInformationMessage(`Write the message for ${agent} in the editor, then Send.`, send, 'Cancel');
  const text = doc.getText();
  // The draft is ours: close it without a save prompt.
  if (vscode.window.activeTextEditor?.document === doc) {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
  return pick === send && text.trim() !== '' ? text : undefined;
}
