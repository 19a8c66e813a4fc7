// A throwaway authorization server for the auth benchmark: one jose-generated RS256 key, its JWKS
// served on 127.0.0.1, and access tokens signed with it (the claims a real identity provider puts
// in an RFC 9068 access token). Nothing leaves loopback.
import { createServer } from 'node:http';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';

const KID = 'bench-rsa-1';

/** Starts the issuer; `mint({sub, audience, ttlSeconds})` signs a token, `close()` stops it. */
export async function startBenchIssuer() {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: KID, alg: 'RS256', use: 'sig' }] });
  let fetches = 0;
  const server = createServer((request, response) => {
    if (request.url !== '/jwks') {
      response.writeHead(404).end();
      return;
    }
    fetches += 1;
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(jwks) }).end(jwks);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    jwksFetches: () => fetches,
    mint({ sub, audience, scope = 'mcp:tools', ttlSeconds = 24 * 3600 }) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ scope, client_id: 'bench-client' })
        .setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'at+jwt' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(sub)
        .setIssuedAt(now)
        .setExpirationTime(now + ttlSeconds)
        .setJti(Math.random().toString(36).slice(2))
        .sign(privateKey);
    },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
