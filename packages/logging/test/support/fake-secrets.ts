// Assembled at runtime so that no token-shaped literal sits in the repository for secret
// scanners to flag. None of these is a real credential.
const filler = (length: number) => 'Zq7Xw2Mv9K'.repeat(Math.ceil(length / 10)).slice(0, length);

export const FAKE = {
  githubClassic: ['ghp', filler(36)].join('_'),
  githubOauth: ['gho', filler(36)].join('_'),
  githubUser: ['ghu', filler(36)].join('_'),
  githubServer: ['ghs', filler(36)].join('_'),
  githubRefresh: ['ghr', filler(36)].join('_'),
  githubFineGrained: ['github', 'pat', `11AB${filler(18)}`, filler(59)].join('_'),
  slackBot: ['xoxb', '1234567890', '0987654321', filler(24)].join('-'),
  slackUser: ['xoxp', '1234567890', '0987654321', filler(24)].join('-'),
  slackApp: ['xoxa', '2', filler(30)].join('-'),
  slackRefresh: ['xoxr', filler(30)].join('-'),
  slackSession: ['xoxs', filler(30)].join('-'),
  slackAppLevel: ['xapp', '1', 'A0123456789', filler(40)].join('-'),
  stripeLive: ['sk', 'live', filler(24)].join('_'),
  stripeTest: ['sk', 'test', filler(24)].join('_'),
  stripeRestrictedLive: ['rk', 'live', filler(24)].join('_'),
  stripeRestrictedTest: ['rk', 'test', filler(24)].join('_'),
  stripeWebhook: ['whsec', filler(32)].join('_'),
  awsAccessKeyId: `AKIA${'IOSFODNN7EXAMPLE'}`,
  jwt: [
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
    'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ',
    'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
  ].join('.'),
  pemBody: `MIIEpAIBAAKCAQEA${filler(64)}\n${filler(64)}\n${filler(20)}==`,
};
