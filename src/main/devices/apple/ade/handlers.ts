// The ADE channels (ade/*): connect Apple Business Manager, see the account and the last sync,
// Sync now, and the devices Apple lists for this MDM server.
import type { HandlersOf } from '../../../../shared/contract'
import type { AdeService } from './service'

export function adeHandlers({ ade }: { ade: AdeService }): HandlersOf<'ade'> {
  return {
    'ade/status': () => ade.status(),
    'ade/certificate': () => ade.certificate(),
    'ade/uploadToken': ({ token }) => ade.uploadToken(token),
    'ade/sync': () => ade.sync(),
    'ade/devices': () => ade.devices(),
  }
}
