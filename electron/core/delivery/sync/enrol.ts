// The kiosk's side of enrolment with a hub (`POST /v1/devices:enrol`): it presents the one-time token
// IT issued for it with its device id and public key. Same rules as delivery: HTTPS except loopback,
// checked on the URL called; a redirect is never followed; an answer is validated before it is read.
import {
  enrolErrorSchema,
  enrolPath,
  enrolRequestSchema,
  enrolResponseSchema,
} from '../../../shared/protocol/enrolment.js';
import { checkUpstreamUrl } from '../keys/index.js';
import { describeNetworkError, redactUrl } from './upstream-http.js';

export interface EnrolOutcome {
  deviceId: string;
  clinicId: string;
  /** Keys the hub now holds for this device (several during a rotation). */
  keys: number;
}

/** Why enrolment did not happen, for a screen to say in its own words. */
export type EnrolFailure = 'invalid-request' | 'no-answer' | 'redirect' | 'no-endpoint' | 'refused' | 'malformed';

/** Enrolment did not happen; `message` says why, for IT (never the token). */
export class EnrolFailed extends Error {
  override readonly name = 'EnrolFailed';
  constructor(
    message: string,
    readonly kind: EnrolFailure,
    /** The hub's own words when it refused (`refused`), else the message. */
    readonly reason: string = message,
  ) {
    super(message);
  }
}

export async function enrolWithHub(request: {
  upstreamUrl: string;
  token: string;
  deviceId: string;
  publicKeyB64: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}): Promise<EnrolOutcome> {
  const base = checkUpstreamUrl(request.upstreamUrl);
  const body = enrolRequestSchema.safeParse({
    token: request.token,
    deviceId: request.deviceId,
    publicKey: request.publicKeyB64,
  });
  if (!body.success) {
    const issue = body.error.issues[0];
    throw new EnrolFailed(
      `The enrolment request is not valid: ${issue?.path.join('.')} ${issue?.message}`,
      'invalid-request',
    );
  }
  let res: Response;
  let text: string;
  try {
    res = await (request.fetch ?? fetch)(base + enrolPath, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body.data),
      signal: AbortSignal.timeout(request.timeoutMs ?? 15_000),
    });
    text = await res.text();
  } catch (err) {
    throw new EnrolFailed(`The hub at ${redactUrl(base)} did not answer: ${describeNetworkError(err)}`, 'no-answer');
  }
  if ((res.status >= 300 && res.status < 400) || res.type === 'opaqueredirect' || res.redirected)
    throw new EnrolFailed(
      `The hub answered a redirect (${res.status}): refused, redirects are never followed`,
      'redirect',
    );
  const json = (() => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  })();
  if (res.status !== 200) {
    const detail = enrolErrorSchema.safeParse(json);
    const why = detail.success ? detail.data.error.slice(0, 300) : `status ${res.status}`;
    if (res.status === 404)
      throw new EnrolFailed(
        `This upstream has no enrolment endpoint (${redactUrl(base + enrolPath)}): register the device there by hand`,
        'no-endpoint',
      );
    throw new EnrolFailed(`The hub refused the enrolment: ${why}`, 'refused', why);
  }
  const ok = enrolResponseSchema.safeParse(json);
  if (!ok.success || ok.data.enrolled !== request.deviceId)
    throw new EnrolFailed('The hub answered the enrolment with a malformed body', 'malformed');
  return { deviceId: ok.data.enrolled, clinicId: ok.data.clinicId, keys: ok.data.keys };
}
