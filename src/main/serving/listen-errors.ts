// Why the ingress could not listen, as an expected failure the admin can act on. The codes are
// the operating system's (Node's `error.code` on the server's 'error' event).
import { AppError, errorMessage } from '../../shared/errors'

export function listenError(e: unknown, address: string, port: number): AppError {
  const code = (e as NodeJS.ErrnoException).code
  const where = { address, port, cause: code ?? errorMessage(e) }
  switch (code) {
    case 'EADDRINUSE':
      return new AppError(
        'INGRESS_PORT_IN_USE',
        `Port ${port} on ${address} is in use by another program (or another JIT Mapper). Choose another port, or stop that program.`,
        where,
      )
    case 'EACCES':
    case 'EPERM':
      return new AppError(
        'INGRESS_ADDRESS_UNAVAILABLE',
        `This computer does not let JIT Mapper listen on port ${port}${port < 1024 ? ' (ports below 1024 need administrator rights)' : ''}. Choose a port from 1024 up, such as 8443.`,
        where,
      )
    case 'EADDRNOTAVAIL':
      return new AppError(
        'INGRESS_ADDRESS_UNAVAILABLE',
        `${address} is not an address of this computer. Choose one of its addresses, or 0.0.0.0 for all of them.`,
        where,
      )
    default:
      return new AppError(
        'INGRESS_ADDRESS_UNAVAILABLE',
        `Cannot listen on ${address}:${port}: ${errorMessage(e)}`,
        where,
      )
  }
}
