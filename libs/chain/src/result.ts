/** Why a byte string could not be decoded. Decoders in this lib return these; they never throw. */
export type DecodeErrorCode =
  | 'bad_base64'
  | 'not_program_data'
  | 'truncated'
  | 'trailing_bytes'
  | 'unknown_discriminator'
  | 'invalid_value'
  | 'invalid_keypair';

export interface DecodeError {
  code: DecodeErrorCode;
  message: string;
}

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: DecodeError };

export const ok = <T>(value: T): DecodeResult<T> => ({ ok: true, value });
export const fail = <T = never>(code: DecodeErrorCode, message: string): DecodeResult<T> => ({
  ok: false,
  error: { code, message },
});
