import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '../core/errors.ts';

/**
 * Secrets at rest: AES-256-GCM under the master key. Format: `v1:<iv b64>:<tag b64>:<ct b64>`.
 * The associated data binds a sealed value to its purpose (e.g. `authorizer_refresh_token:wx…`)
 * so a value copied into another row does not open.
 */
export interface Sealer {
  seal(plain: string, aad?: string): string;
  open(sealed: string, aad?: string): string;
}

export function parseMasterKey(hex: string): Buffer {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new AppError('config_invalid', 'master key must be 64 hex characters (32 bytes)', {
      details: { params: { reason: 'master_key_format' } },
    });
  }
  return Buffer.from(hex, 'hex');
}

export function createSealer(masterKey: Buffer): Sealer {
  if (masterKey.length !== 32) {
    throw new AppError('config_invalid', 'master key must be 32 bytes', {
      details: { params: { reason: 'master_key_length' } },
    });
  }
  return {
    seal(plain, aad = '') {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', masterKey, iv);
      cipher.setAAD(Buffer.from(aad, 'utf8'));
      const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return `v1:${iv.toString('base64')}:${tag.toString('base64')}:${ct.toString('base64')}`;
    },
    open(sealed, aad = '') {
      const parts = sealed.split(':');
      if (parts.length !== 4 || parts[0] !== 'v1')
        throw new AppError('internal', 'sealed value has an unknown format', {
          details: { params: { reason: 'sealed_value_format' } },
        });
      try {
        const decipher = createDecipheriv(
          'aes-256-gcm',
          masterKey,
          Buffer.from(parts[1] ?? '', 'base64'),
        );
        decipher.setAAD(Buffer.from(aad, 'utf8'));
        decipher.setAuthTag(Buffer.from(parts[2] ?? '', 'base64'));
        return Buffer.concat([
          decipher.update(Buffer.from(parts[3] ?? '', 'base64')),
          decipher.final(),
        ]).toString('utf8');
      } catch (err) {
        throw new AppError('internal', 'sealed value does not open with this master key', {
          cause: err,
          details: { params: { reason: 'sealed_value_key' } },
        });
      }
    },
  };
}
