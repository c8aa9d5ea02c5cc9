// Bridges window.kiosk to the core router over IPC; filled in by the shell work (issue 3).
export {};
