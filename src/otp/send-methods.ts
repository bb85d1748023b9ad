import { Injectable } from '@nestjs/common';
import { hmacSha256 } from '@/common/crypto/digest';
import { KeyRing } from '@/common/crypto/key-ring';
import type { SendMethod } from '@/challenge/challenge.entity';
import type { User } from '@/users/user.entity';
import { maskEmail, maskPhone } from './masks';

/**
 * A phone gives sms and voice, an address gives email. Ids are keyed hashes of (user, type,
 * destination): stable for the user, as Plaid asks, and meaningless to anyone else.
 */
@Injectable()
export class SendMethods {
  constructor(private readonly keys: KeyRing) {}

  for(user: Pick<User, 'id' | 'phone' | 'email'>): SendMethod[] {
    const out: SendMethod[] = [];
    const id = (type: string, to: string) => hmacSha256(this.keys.idKey, `${user.id}|${type}|${to}`).slice(0, 12);
    if (user.phone) {
      out.push({ id: id('sms', user.phone), type: 'sms', mask: maskPhone(user.phone) });
      out.push({ id: id('voice', user.phone), type: 'voice', mask: maskPhone(user.phone) });
    }
    if (user.email) out.push({ id: id('email', user.email), type: 'email', mask: maskEmail(user.email) });
    return out;
  }

  destination(user: Pick<User, 'phone' | 'email'>, method: SendMethod): string | null {
    return method.type === 'email' ? user.email : user.phone;
  }
}
