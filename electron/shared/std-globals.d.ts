// The std layer runs in Node, Chromium and the preload: it may use only what all of them have.
// Of their globals it needs the console, which every one of those runtimes provides.
declare const console: {
  error(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  log(...data: unknown[]): void;
};
