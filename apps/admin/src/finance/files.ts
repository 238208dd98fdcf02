/**
 * Handing a fetched file to the browser. The API wants the bearer token, which a plain link cannot send, so the
 * screens fetch the file through the authorised client and give the browser an object URL for the blob.
 */

/** Saves the blob under its name, as a download. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // The download has started from the URL; give it a moment before letting the blob go.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * A new window for a printable page, opened while the click is still being handled (pop-up blockers allow that),
 * then pointed at the document once it has been fetched. Null when the browser refused the window.
 */
export function openPrintWindow(): Window | null {
  const opened = window.open('', '_blank');
  if (opened) opened.document.title = 'Preparing your statement…';
  return opened;
}

export function showInWindow(target: Window, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  target.location.href = url;
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
