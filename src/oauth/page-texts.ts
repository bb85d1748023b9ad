import type { Locale } from '@/common/i18n/messages';

/** Every word the sign-in pages show, in English and Spanish (PRODUCT.md section 14). */
export interface PageTexts {
  lang: Locale;
  signInTitle: string;
  signInIntro: string;
  username: string;
  password: string;
  signIn: string;
  cancel: string;
  continue: string;
  verifyTitle: string;
  chooseMethod: string;
  methodLabel: (type: string, mask: string) => string;
  sendCode: string;
  codeSent: string;
  passcode: string;
  otpHint: string;
  totpHint: string;
  kbaHint: string;
  verify: string;
  errorsTitle: string;
  wrongPassword: string;
  wrongAnswer: string;
  otpNotSent: string;
  sendRefused: string;
  sendLimit: string;
  challengeEnded: string;
  missingField: string;
  invalidUsername: string;
  lockedTitle: string;
  lockedText: string;
  termsTitle: string;
  termsText: string;
  errorTitle: string;
  badRequestText: string;
  expiredText: string;
  forbiddenText: string;
  takenText: string;
  busyTitle: string;
  busyText: string;
}

const METHOD_TYPES: Record<Locale, Record<string, string>> = {
  en: { sms: 'Text message to', voice: 'Phone call to', email: 'Email to' },
  es: { sms: 'Mensaje de texto a', voice: 'Llamada al', email: 'Correo electrónico a' },
};

const TEXTS: Record<Locale, PageTexts> = {
  en: {
    lang: 'en',
    signInTitle: 'Sign in',
    signInIntro: 'Sign in with your online banking username and password to connect your account.',
    username: 'Username',
    password: 'Password',
    signIn: 'Sign in',
    cancel: 'Cancel',
    continue: 'Continue',
    verifyTitle: 'Verify it is you',
    chooseMethod: 'Where should we send a code?',
    methodLabel: (type, mask) => `${METHOD_TYPES.en[type] ?? type} ${mask}`,
    sendCode: 'Send code',
    codeSent: 'We sent you a code. Enter it below.',
    passcode: 'Code',
    otpHint: 'Enter the code we sent you.',
    totpHint: 'Enter the 6-digit code from your authenticator app.',
    kbaHint: 'Answer your security questions.',
    verify: 'Verify',
    errorsTitle: 'There is a problem',
    wrongPassword: 'The username or password is incorrect.',
    wrongAnswer: 'That answer is incorrect. Try again.',
    otpNotSent: 'Send yourself a code first.',
    sendRefused: 'We cannot send a code there. Choose another way.',
    sendLimit: 'No more codes can be sent right now. Wait a moment and try again.',
    challengeEnded: 'That verification has ended. Sign in again.',
    missingField: 'Fill in every field.',
    invalidUsername:
      'That cannot be a username: it holds letters, digits and ASCII signs, without spaces or invisible characters.',
    lockedTitle: 'Your account is locked',
    lockedText: 'For your security, this account is locked. Please contact your bank to unlock it.',
    termsTitle: 'Terms to accept first',
    termsText: 'Please sign in to online banking and accept the updated terms, then try connecting again.',
    errorTitle: 'Something went wrong',
    badRequestText: 'This sign-in link is not valid. Go back to the app you came from and try again.',
    expiredText: 'This sign-in has expired. Go back to the app you came from and start again.',
    forbiddenText: 'This form has expired. Go back to the app you came from and start again.',
    busyTitle: 'Please wait a moment',
    takenText:
      'This sign-in was already sent on from another click or tab. If the app did not continue, go back to it and start again.',
    busyText: 'There have been too many requests from your network. Wait a minute, then try again.',
  },
  es: {
    lang: 'es',
    signInTitle: 'Iniciar sesión',
    signInIntro: 'Inicie sesión con su usuario y contraseña de banca en línea para conectar su cuenta.',
    username: 'Usuario',
    password: 'Contraseña',
    signIn: 'Iniciar sesión',
    cancel: 'Cancelar',
    continue: 'Continuar',
    verifyTitle: 'Verifique su identidad',
    chooseMethod: '¿Adónde le enviamos un código?',
    methodLabel: (type, mask) => `${METHOD_TYPES.es[type] ?? type} ${mask}`,
    sendCode: 'Enviar código',
    codeSent: 'Le enviamos un código. Introdúzcalo abajo.',
    passcode: 'Código',
    otpHint: 'Introduzca el código que le enviamos.',
    totpHint: 'Introduzca el código de 6 dígitos de su aplicación de autenticación.',
    kbaHint: 'Responda a sus preguntas de seguridad.',
    verify: 'Verificar',
    errorsTitle: 'Hay un problema',
    wrongPassword: 'El usuario o la contraseña no son correctos.',
    wrongAnswer: 'La respuesta no es correcta. Inténtelo de nuevo.',
    otpNotSent: 'Primero envíese un código.',
    sendRefused: 'No podemos enviar un código ahí. Elija otra opción.',
    sendLimit: 'Ahora no se pueden enviar más códigos. Espere un momento y vuelva a intentarlo.',
    challengeEnded: 'Esa verificación ha terminado. Inicie sesión de nuevo.',
    missingField: 'Rellene todos los campos.',
    invalidUsername:
      'Eso no puede ser un nombre de usuario: lleva letras, cifras y signos ASCII, sin espacios ni caracteres invisibles.',
    lockedTitle: 'Su cuenta está bloqueada',
    lockedText: 'Por su seguridad, esta cuenta está bloqueada. Póngase en contacto con su banco para desbloquearla.',
    termsTitle: 'Primero debe aceptar las condiciones',
    termsText: 'Inicie sesión en la banca en línea y acepte las condiciones actualizadas; después vuelva a conectar.',
    errorTitle: 'Algo salió mal',
    badRequestText:
      'Este enlace de inicio de sesión no es válido. Vuelva a la aplicación de la que vino e inténtelo de nuevo.',
    expiredText: 'Este inicio de sesión ha caducado. Vuelva a la aplicación de la que vino y empiece de nuevo.',
    forbiddenText: 'Este formulario ha caducado. Vuelva a la aplicación de la que vino y empiece de nuevo.',
    busyTitle: 'Espere un momento',
    takenText:
      'Este inicio de sesión ya se envió desde otro clic o pestaña. Si la aplicación no continuó, vuelva a ella y empiece de nuevo.',
    busyText: 'Ha habido demasiadas solicitudes desde su red. Espere un minuto y vuelva a intentarlo.',
  },
};

export function pageTexts(locale: string): PageTexts {
  return (TEXTS as Record<string, PageTexts | undefined>)[locale] ?? TEXTS.en;
}
