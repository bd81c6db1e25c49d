// Report webview script: forwards clicks on buttons with data-command to the extension. Nothing else:
// the page is rendered by the extension, this script only carries the user's clicks back.
(function () {
  const vscode = acquireVsCodeApi();
  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target.closest('[data-command]') : null;
    if (!target) return;
    event.preventDefault();
    vscode.postMessage({ command: target.getAttribute('data-command'), arg: target.getAttribute('data-arg') || undefined });
  });
})();
