// Electron host: thin. Creates the kiosk window and registers the core router on ipcMain.
import { app } from 'electron';

app.whenReady().then(() => {
  // filled in by the shell work (issue 3)
});
