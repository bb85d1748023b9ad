import type { OtpCatalogue } from './otp-catalogue';

export const ES: OtpCatalogue = {
  otpPrompt: 'Introduzca el código que le enviamos.',
  totpPrompt: 'Introduzca el código de 6 dígitos de su aplicación de autenticación.',
  lifetime: { one: '{minutes} minuto', other: '{minutes} minutos' },
  sms: '{institution}: su código de verificación es {code}. Caduca en {lifetime}. No lo comparta con nadie.',
  voice:
    'Hola. Le llamamos de {institution}. Su código de verificación es: {digits}. Repito, su código es: {digits}. ' +
    'Caduca en {lifetime}. Adiós.',
  voiceLanguage: 'es-MX',
  emailSubject: 'Su código de verificación de {institution}',
  emailText:
    'Su código de verificación de {institution} es {code}.\n\nCaduca en {lifetime}. No lo comparta con nadie: ' +
    '{institution} nunca se lo pedirá.\n\nSi no intentó iniciar sesión, puede ignorar este mensaje.\n',
  emailHtml:
    '<!doctype html><html lang="es"><body style="font-family:sans-serif">' +
    '<p>Su código de verificación de {institution} es</p><p style="font-size:28px;letter-spacing:4px"><b>{code}</b></p>' +
    '<p>Caduca en {lifetime}. No lo comparta con nadie: {institution} nunca se lo pedirá.</p>' +
    '<p>Si no intentó iniciar sesión, puede ignorar este mensaje.</p></body></html>',
};
