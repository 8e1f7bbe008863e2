import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { AppError } from '../../shared/errors.js';
import { pageOf } from '../../shared/pagination.js';
import { idParams } from '../../shared/schemas.js';
import { actorOf, bearerSecurity, requireRole } from './auth.guard.js';
import * as schemas from './auth.schemas.js';
import * as auth from './auth.service.js';
import {
  clearedRefreshCookie,
  readRefreshCookie,
  REFRESH_COOKIE,
  refreshCookie,
} from './refresh-cookie.js';

export function authRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    const limited = { rateLimit: { max: ctx.config.rateLimitAuth, timeWindow: '1 minute' } };
    const signedIn = requireRole(ctx.tokens);

    app.post(
      '/api/v1/auth/register',
      {
        config: limited,
        schema: {
          tags: ['auth'],
          summary: 'Create a customer account',
          body: schemas.registerBody,
          response: { 201: schemas.userSchema },
        },
      },
      async (request, reply) => reply.code(201).send(await auth.register(ctx, request.body)),
    );

    app.post(
      '/api/v1/auth/login',
      {
        config: limited,
        schema: {
          tags: ['auth'],
          summary: 'Exchange email and password for a token pair',
          description: `Also sets the refresh token as the cookie \`${REFRESH_COOKIE}\` (HttpOnly, SameSite=Strict, Path=/api/v1/auth, Secure when PUBLIC_URL is https, Max-Age the refresh token lifetime), which refresh and logout accept when their body has no token.`,
          body: schemas.loginBody,
          response: { 200: schemas.tokenPairSchema },
        },
      },
      async (request, reply) => {
        const tokens = await auth.login(ctx, request.body);
        // A token pair is never for a cache to keep.
        void reply
          .header('set-cookie', refreshCookie(ctx.config, tokens.refreshToken))
          .header('cache-control', 'no-store');
        return tokens;
      },
    );

    // Refresh and logout take their token from the body or, when the body has none (`{}`, or no
    // body at all), from the cookie: the browser UI never sees its refresh token.
    await app.register(async (plain) => {
      const scope = plain.withTypeProvider<ZodTypeProvider>();
      const parseJson = scope.getDefaultJsonParser('error', 'error');
      scope.removeContentTypeParser('application/json');
      scope.addContentTypeParser(
        'application/json',
        { parseAs: 'string' },
        (request, body, done) => {
          if (body === '') done(null, undefined);
          else void parseJson(request, body as string, done);
        },
      );

      const tokenFrom = (request: {
        body: { refreshToken?: string | undefined } | null | undefined;
        headers: { cookie?: string | undefined };
      }) => request.body?.refreshToken ?? readRefreshCookie(request.headers.cookie);

      scope.post(
        '/api/v1/auth/refresh',
        {
          config: limited,
          schema: {
            tags: ['auth'],
            summary: 'Rotate a refresh token into a new pair',
            description: `The token comes from the body or, when the body has none (\`{}\` or no body), from the \`${REFRESH_COOKIE}\` cookie; the body wins. The new refresh token is returned and set as the cookie. A token rotated less than a few seconds ago is accepted again (tabs refreshing at once); later reuse revokes the session.`,
            body: schemas.refreshBody,
            response: { 200: schemas.tokenPairSchema },
          },
        },
        async (request, reply) => {
          const token = tokenFrom(request);
          if (!token) {
            throw new AppError(
              'INVALID_REFRESH_TOKEN',
              `No refresh token in the body or the ${REFRESH_COOKIE} cookie; log in`,
            );
          }
          const tokens = await auth.refresh(ctx, token);
          void reply
            .header('set-cookie', refreshCookie(ctx.config, tokens.refreshToken))
            .header('cache-control', 'no-store');
          return tokens;
        },
      );

      scope.post(
        '/api/v1/auth/logout',
        {
          schema: {
            tags: ['auth'],
            summary: 'End the session a refresh token belongs to',
            description: `The token comes from the body or, when the body has none, from the \`${REFRESH_COOKIE}\` cookie. Always 204, and the cookie is cleared.`,
            body: schemas.refreshBody,
            response: { 204: z.undefined() },
          },
        },
        async (request, reply) => {
          const token = tokenFrom(request);
          if (token) await auth.logout(ctx, token);
          return reply.code(204).header('set-cookie', clearedRefreshCookie(ctx.config)).send();
        },
      );
    });

    app.post(
      '/api/v1/auth/verify-email',
      {
        schema: {
          tags: ['auth'],
          summary: 'Confirm an email address with the token from the verification email',
          body: schemas.tokenBody,
          response: { 200: schemas.userSchema },
        },
      },
      async (request) => auth.verifyEmail(ctx, request.body.token),
    );

    app.post(
      '/api/v1/auth/password-reset/request',
      {
        config: limited,
        schema: {
          tags: ['auth'],
          summary: 'Email a password reset link (202 whether or not the account exists)',
          body: schemas.passwordResetRequestBody,
          response: { 202: z.undefined() },
        },
      },
      async (request, reply) => {
        await auth.requestPasswordReset(ctx, request.body.email);
        return reply.code(202).send();
      },
    );

    app.post(
      '/api/v1/auth/password-reset/confirm',
      {
        config: limited,
        schema: {
          tags: ['auth'],
          summary: 'Set a new password with a reset token; ends every session',
          body: schemas.passwordResetConfirmBody,
          response: { 204: z.undefined() },
        },
      },
      async (request, reply) => {
        await auth.confirmPasswordReset(ctx, request.body);
        return reply.code(204).send();
      },
    );

    app.post(
      '/api/v1/me/verify-email',
      {
        onRequest: signedIn,
        config: limited,
        schema: {
          tags: ['auth'],
          summary: 'Send the verification email again',
          security: bearerSecurity,
          response: { 202: z.undefined() },
        },
      },
      async (request, reply) => {
        await auth.resendVerification(ctx, actorOf(request));
        return reply.code(202).send();
      },
    );

    app.get(
      '/api/v1/me',
      {
        onRequest: signedIn,
        schema: { tags: ['auth'], security: bearerSecurity, response: { 200: schemas.userSchema } },
      },
      async (request) => auth.getMe(ctx, actorOf(request)),
    );

    app.post(
      '/api/v1/me/password',
      {
        onRequest: signedIn,
        schema: {
          tags: ['auth'],
          summary: 'Change the password; ends every other session',
          security: bearerSecurity,
          body: schemas.changePasswordBody,
          response: { 204: z.undefined() },
        },
      },
      async (request, reply) => {
        await auth.changePassword(ctx, actorOf(request), request.body);
        return reply.code(204).send();
      },
    );

    const adminOnly = requireRole(ctx.tokens, 'admin');

    app.get(
      '/api/v1/admin/users',
      {
        onRequest: adminOnly,
        schema: {
          tags: ['admin'],
          security: bearerSecurity,
          summary: 'Accounts, newest first; `q` searches email and name',
          querystring: schemas.usersQuery,
          response: { 200: pageOf(schemas.userSchema) },
        },
      },
      async (request) => {
        const { role, q, ...page } = request.query;
        return auth.listUsers(ctx, { role, q }, page);
      },
    );

    app.patch(
      '/api/v1/admin/users/:id',
      {
        onRequest: adminOnly,
        schema: {
          tags: ['admin'],
          summary: "Change a user's role",
          security: bearerSecurity,
          params: idParams,
          body: schemas.setRoleBody,
          response: { 200: schemas.userSchema },
        },
      },
      async (request) => auth.setRole(ctx, actorOf(request), request.params.id, request.body.role),
    );
  };
}
