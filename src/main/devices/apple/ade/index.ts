// Automated Device Enrollment: Apple's device assignment service (client, token, sync) and the
// Setup Assistant page the ingress serves.
export { type AdeService, createAdeService, defaultProfileFor, ADE_ENROLL_PATH } from './service'
export { adeHandlers } from './handlers'
export { APPLE_DEP_URL, createDepClient, type DepClient, DepError } from './client'
