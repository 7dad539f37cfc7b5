import * as vscode from 'vscode';
import { COMMANDS } from './ids';

/** The open draft, if any: Send and Cancel (status bar buttons, or closing the editor) settle it. */
let pending: { doc: vscode.TextDocument; settle: (send: boolean) => void } | undefined;

/** Send or Cancel for the open nudge draft (the status bar buttons' commands). */
export function settleNudgeDraft(send: boolean): void {
  pending?.settle(send);
}

/**
 * Asks for a nudge. One line in an input box; its button opens an editor for several lines, since an input box
 * turns newlines into spaces. The editor is an untitled draft with Send and Cancel in the status bar.
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
  pending?.settle(false);
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: start });
  await vscode.window.showTextDocument(doc, { preview: false });
  const send = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 1000);
  send.text = `$(send) Send to ${agent.replace(/\$\(/g, '$\u200b(')}`;
  send.tooltip = 'Type the draft into the agent as one message';
  send.command = COMMANDS.nudgeDraftSend;
  const cancel = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 999);
  cancel.text = '$(close) Cancel nudge';
  cancel.command = COMMANDS.nudgeDraftCancel;
  send.show();
  cancel.show();
  const sent = await new Promise<boolean>((resolve) => {
    const closed = vscode.workspace.onDidCloseTextDocument((d) => d === doc && pending?.settle(false));
    pending = {
      doc,
      settle: (ok) => {
        closed.dispose();
        pending = undefined;
        resolve(ok);
      },
    };
  });
  send.dispose();
  cancel.dispose();
  const text = doc.getText();
  // The draft is ours: close it without a save prompt.
  for (const e of vscode.window.visibleTextEditors.filter((x) => x.document === doc)) {
    await vscode.window.showTextDocument(e.document, e.viewColumn);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
  return sent && text.trim() !== '' ? text : undefined;
}
