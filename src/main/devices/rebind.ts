// What enrollment and the ingress share about who may move a device to another user.

/** The identity a device proves itself with after enrollment. */
export type EnrollIdentity =
  | { kind: 'apple'; udid: string; fingerprint: string }
  | { kind: 'android'; credentialHash: string }

/** The `reason` of the CONFLICT a held re-enrollment is refused with; details carry `heldRebindId`. */
export const REBIND_HELD = 'rebind-held'
