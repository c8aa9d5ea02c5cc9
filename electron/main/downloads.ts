// Downloads in the locked-down window (a report's CSV link): never a native Save dialog, which
// would be a way out of kiosk mode into the file system. Pure decisions plus a thin wiring over
// the session's `will-download`, so a unit test checks them without the Electron binary.
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { isAppUrl } from './security-policy.js';

/** What a download may be: a CSV the kiosk page made itself (blob: of app://kelu, or data:). */
const allowedExtensions = new Set(['.csv']);

export type DownloadDecision = { action: 'save'; path: string } | { action: 'refuse'; reason: string };

export interface DownloadRequest {
  /** DownloadItem.getURL() */
  url: string;
  /** DownloadItem.getFilename(): the page's suggested name (`<a download="...">`). */
  filename: string;
  /** The URL of the page that started it (webContents.getURL()), when known. */
  pageUrl?: string;
}

export const exportsDir = (dataDir: string): string => join(dataDir, 'exports');

/** A file name with nothing that could leave the folder or surprise a file manager. */
export function safeFileName(name: string): string {
  const base = name
    .replace(/^.*[\\/]/, '')
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '');
  return base.slice(0, 100) || 'export.csv';
}

/**
 * Where a download goes, or why it is refused. Only a .csv made by the kiosk page itself is saved,
 * into `<data dir>/exports/`, under a fresh name (never overwriting); everything else is refused.
 */
export function decideDownload(
  req: DownloadRequest,
  dataDir: string,
  exists: (file: string) => boolean = existsSync,
): DownloadDecision {
  const scheme = req.url.slice(0, req.url.indexOf(':') + 1).toLowerCase();
  const fromApp =
    (scheme === 'blob:' && isAppUrl(req.url.slice('blob:'.length))) || (scheme === 'data:' && isAppUrl(req.pageUrl));
  if (!fromApp) return { action: 'refuse', reason: 'not made by the kiosk page' };
  if (req.pageUrl !== undefined && !isAppUrl(req.pageUrl))
    return { action: 'refuse', reason: 'not from the kiosk page' };
  const name = safeFileName(req.filename);
  const ext = extname(name).toLowerCase();
  if (!allowedExtensions.has(ext))
    return { action: 'refuse', reason: `only ${[...allowedExtensions].join(', ')} files are saved` };
  const dir = exportsDir(dataDir);
  const stem = name.slice(0, name.length - ext.length);
  for (let i = 0; i < 1000; i++) {
    const path = join(dir, i === 0 ? name : `${stem}-${i}${ext}`);
    if (!exists(path)) return { action: 'save', path };
  }
  return { action: 'refuse', reason: 'too many files of that name in the export folder' };
}

interface DownloadItemLike {
  getURL(): string;
  getFilename(): string;
  setSavePath(path: string): void;
  once(event: 'done', listener: (event: unknown, state: string) => void): unknown;
}
interface DownloadEventLike {
  preventDefault(): void;
}
interface WebContentsLike {
  getURL(): string;
}

/**
 * The `will-download` listener: sets the save path at once (so Electron shows no dialog) or
 * cancels. `onSaved` is told where a finished file is (the screens can say so).
 */
export function downloadHandler(
  dataDir: string,
  onResult: (r: { saved?: string; refused?: string }) => void = () => {},
) {
  return (event: DownloadEventLike, item: DownloadItemLike, contents?: WebContentsLike): void => {
    const decision = decideDownload(
      { url: item.getURL(), filename: item.getFilename(), pageUrl: contents?.getURL() },
      dataDir,
    );
    if (decision.action === 'refuse') {
      event.preventDefault();
      onResult({ refused: decision.reason });
      return;
    }
    mkdirSync(exportsDir(dataDir), { recursive: true, mode: 0o700 });
    chmodSync(exportsDir(dataDir), 0o700);
    item.setSavePath(decision.path);
    item.once('done', (_e, state) => {
      if (state === 'completed') {
        try {
          chmodSync(decision.path, 0o600);
        } catch {
          /* gone already */
        }
        onResult({ saved: decision.path });
      }
    });
  };
}
