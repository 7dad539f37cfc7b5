import * as vscode from 'vscode';
import { Disposable } from '../common/lifecycle';
import { formatProblem, SettingsProblem } from '../town/problems';

/**
 * Shows settings problems where they are: a diagnostic at the exact range, and once per file and session
 * a warning with "Open file". The extension keeps working with what it could read.
 */
export class SettingsDiagnostics extends Disposable {
  private readonly collection = this.register(vscode.languages.createDiagnosticCollection('gastown'));
  private readonly warned = new Set<string>();

  constructor(private readonly log: vscode.LogOutputChannel) {
    super();
  }

  /** Replaces every diagnostic with this set of problems. */
  show(problems: SettingsProblem[]): void {
    const byFile = new Map<string, SettingsProblem[]>();
    for (const p of problems) {
      const list = byFile.get(p.file) ?? [];
      if (!list.some((q) => q.offset === p.offset && q.message === p.message)) {
        list.push(p);
      }
      byFile.set(p.file, list);
    }
    this.collection.clear();
    for (const [file, list] of byFile) {
      this.collection.set(vscode.Uri.file(file), list.map(toDiagnostic));
      const first = list.find((p) => p.severity === 'error') ?? list[0];
      for (const p of list) {
        this.log.warn(formatProblem(p));
      }
      if (!this.warned.has(file)) {
        this.warned.add(file);
        void this.warnOnce(file, first);
      }
    }
  }

  private async warnOnce(file: string, p: SettingsProblem): Promise<void> {
    const open = 'Open file';
    const pick = await vscode.window.showWarningMessage(`Gas Town: ${vscode.workspace.asRelativePath(file)} line ${p.line + 1}: ${p.message}. Using what could be read, plus the built-in presets.`, open);
    if (pick === open) {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
      const pos = new vscode.Position(p.line, p.column);
      await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos) });
    }
  }
}

function toDiagnostic(p: SettingsProblem): vscode.Diagnostic {
  const start = new vscode.Position(p.line, p.column);
  const end = p.endLine !== undefined && p.endColumn !== undefined && p.length > 0 ? new vscode.Position(p.endLine, p.endColumn) : start.translate(0, 1);
  const d = new vscode.Diagnostic(new vscode.Range(start, end), p.jsonPath ? `${p.message} (${p.jsonPath})` : p.message, p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
  d.source = 'Gas Town';
  return d;
}
