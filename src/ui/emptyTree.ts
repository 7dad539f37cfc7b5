import * as vscode from 'vscode';

/** A view with no items yet, so its viewsWelcome content shows (beads, mail and convoys come in later issues). */
export class EmptyTreeProvider implements vscode.TreeDataProvider<never> {
  getChildren(): never[] {
    return [];
  }

  getTreeItem(element: never): vscode.TreeItem {
    return element;
  }
}
