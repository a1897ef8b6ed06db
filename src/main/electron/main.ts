// The Electron shell: window, IPC wiring and settings. Everything else is the same code the
// headless host and the CLI run, so this file stays thin.
import { join } from 'node:path'
import { app as electronApp, BrowserWindow, ipcMain, shell, type IpcMainInvokeEvent } from 'electron'
import Store from 'electron-store'
import { EVENT_NAMES, INVOKE_CHANNEL } from '../../shared/channels'
import { createApp, type App } from '../app'
import { loadDemo } from '../demo'
import { createLog } from '../log'
import { resolveDataDir } from '../workspace'
import { createSafeStorageSecretStore } from './secrets'

interface Settings {
  window: { width: number; height: number; x?: number; y?: number }
}

const settings = new Store<Settings>({ name: 'settings', defaults: { window: { width: 1280, height: 820 } } })
const devServer = process.env['ELECTRON_RENDERER_URL']

// Only our own renderer may call the API; a navigated-away or injected frame may not.
const trusted = (event: IpcMainInvokeEvent): boolean => {
  const url = event.senderFrame?.url ?? ''
  return devServer ? url.startsWith(devServer) : url.startsWith('file://')
}

function openWindow(core: App): BrowserWindow {
  const win = new BrowserWindow({
    ...settings.get('window'),
    title: 'JIT Mapper',
    webPreferences: {
      preload: join(__dirname, '../preload/index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  })
  win.on('close', () => settings.set('window', win.getBounds()))
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url)
    return { action: 'deny' }
  })
  win.webContents.on('will-navigate', e => e.preventDefault())
  const offs = EVENT_NAMES.map(name => core.on(name, payload => win.webContents.send(name, payload)))
  win.on('closed', () => offs.forEach(off => off()))
  if (devServer) void win.loadURL(devServer)
  else void win.loadFile(join(__dirname, '../renderer/index.html'))
  return win
}

void electronApp.whenReady().then(() => {
  const dataDir = resolveDataDir(undefined, process.env)
  const log = createLog({ dataDir, name: 'desktop' })
  process.on('uncaughtException', e => log.error('uncaught exception', { error: e }))
  process.on('unhandledRejection', e => log.error('unhandled rejection', { error: e }))
  // The outbox retries failed pushes and re-pushes past deadlines while the app is open.
  const core = createApp({
    dataDir,
    log,
    pumpIntervalMs: 30_000,
    secrets: createSafeStorageSecretStore(dataDir),
    importWorker: join(__dirname, 'import-worker.js'),
    diagnosticsWorker: join(__dirname, 'diagnostics-worker.js'),
  })
  log.info('desktop app started', { dataDir, version: electronApp.getVersion() })
  if (process.argv.includes('--demo')) loadDemo(core)
  core.services.scheduler.start()
  core.services.ade.startSchedule()
  // Serve devices at once when the Settings say so; a failure (port in use …) shows on the Settings page.
  void core.services.serving.startAtLaunch()
  ipcMain.handle(INVOKE_CHANNEL, (event, channel: unknown, args: unknown) => {
    if (!trusted(event))
      return { ok: false, error: { code: 'UNAUTHORIZED', message: 'This frame may not call the JIT Mapper API.' } }
    return core.invoke(String(channel), args)
  })
  openWindow(core)
  electronApp.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openWindow(core)
  })
  electronApp.on('window-all-closed', () => {
    if (process.platform !== 'darwin') electronApp.quit()
  })
  let quitting = false
  electronApp.on('will-quit', event => {
    // Stop the device ingress (and record that it stopped) before the store closes; then quit again.
    if (!quitting) {
      quitting = true
      event.preventDefault()
      core.services.serving
        .stop()
        .catch((e: unknown) => log.error('the device ingress did not stop cleanly', { error: e }))
        .finally(() => electronApp.quit())
      return
    }
    core.close()
    log.info('desktop app stopped')
    log.close()
  })
})
