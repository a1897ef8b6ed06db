// The serving room's channels (ingress/*): settings, certificate, start and stop of the device ingress.
import type { HandlersOf } from '../../shared/contract'
import type { IngressHost } from './service'

export function ingressHandlers({ serving }: { serving: IngressHost }): HandlersOf<'ingress'> {
  return {
    'ingress/get': () => serving.info(),
    'ingress/save': args => serving.save(args),
    'ingress/importCertificate': ({ certificate, key }) => serving.importCertificate(certificate, key),
    'ingress/generateCertificate': ({ names }) => serving.generateCertificate(names),
    'ingress/start': () => serving.start(),
    'ingress/stop': () => serving.stop(),
  }
}
