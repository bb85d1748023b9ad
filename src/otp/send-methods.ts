import { Injectable } from '@nestjs/common';
import { hmacSha256 } from '@/common/crypto/digest';
import { KeyRing } from '@/common/crypto/key-ring';
import type { SendMethod } from '@/challenge/challenge.entity';
import type { User } from '@/users/user.entity';
import { DeliveryChannels } from './delivery/delivery-channels';
import { maskEmail, maskPhone } from './delivery/masks';

/**
 * A phone gives sms and voice, an address gives email, each only where a channel delivers it. Ids are
 * keyed hashes of (user, type, destination): stable for the user, as Plaid asks, meaningless to others.
 */
@Injectable()
export class SendMethods {
  constructor(
    private readonly keys: KeyRing,
    private readonly channels: DeliveryChannels,
  ) {}

  /** What a challenge offers: only the methods a configured channel delivers. */
  offered(user: Pick<User, 'id' | 'phone' | 'email'>): SendMethod[] {
    return this.all(user).filter((m) => this.channels.offers(m.type));
  }

  /** Every method the user's phone and address give, as support staff see them. */
  all(user: Pick<User, 'id' | 'phone' | 'email'>): SendMethod[] {
    const out: SendMethod[] = [];
    const add = (type: SendMethod['type'], to: string, mask: string) => {
      out.push({ id: hmacSha256(this.keys.idKey, `${user.id}|${type}|${to}`).slice(0, 12), type, mask });
    };
    if (user.phone) {
      add('sms', user.phone, maskPhone(user.phone));
      add('voice', user.phone, maskPhone(user.phone));
    }
    if (user.email) add('email', user.email, maskEmail(user.email));
    return out;
  }

  destination(user: Pick<User, 'phone' | 'email'>, method: SendMethod): string | null {
    return method.type === 'email' ? user.email : user.phone;
  }
}
