import type { OtpCatalogue } from './otp-catalogue';

export const EN: OtpCatalogue = {
  otpPrompt: 'Enter the code we sent you.',
  totpPrompt: 'Enter the 6-digit code from your authenticator app.',
  lifetime: { one: '{minutes} minute', other: '{minutes} minutes' },
  sms: '{institution}: your verification code is {code}. It expires in {lifetime}. Never share it with anyone.',
  voice:
    'Hello. This is {institution}. Your verification code is: {digits}. Again, your code is: {digits}. ' +
    'It expires in {lifetime}. Goodbye.',
  voiceLanguage: 'en-US',
  emailSubject: 'Your {institution} verification code',
  emailText:
    'Your {institution} verification code is {code}.\n\nIt expires in {lifetime}. Never share it with anyone: ' +
    '{institution} will never ask you for it.\n\nIf you did not try to sign in, you can ignore this message.\n',
  emailHtml:
    '<!doctype html><html lang="en"><body style="font-family:sans-serif">' +
    '<p>Your {institution} verification code is</p><p style="font-size:28px;letter-spacing:4px"><b>{code}</b></p>' +
    '<p>It expires in {lifetime}. Never share it with anyone: {institution} will never ask you for it.</p>' +
    '<p>If you did not try to sign in, you can ignore this message.</p></body></html>',
};
