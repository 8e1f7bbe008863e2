import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useEffect, useRef, useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { api, invalidate } from '../../api/client';
import {
  Alert,
  Button,
  buttonClass,
  Card,
  Field,
  Input,
  Loading,
  Page,
  ProblemAlert,
} from '../../ui';

const verifyRoute = getRouteApi('/shop/verify-email');

/** Where the verification email's link lands: /verify-email?token=… */
export function VerifyEmailPage() {
  const { token } = verifyRoute.useSearch();
  const verify = useMutation({
    mutationFn: async (value: string) => {
      await api.POST('/api/v1/auth/verify-email', { body: { token: value } });
      await invalidate('/api/v1/me');
    },
  });
  // Once per page, even under StrictMode's double effects: a token is single-use.
  const started = useRef(false);
  useEffect(() => {
    if (token && !started.current) {
      started.current = true;
      verify.mutate(token);
    }
  }, [token, verify]);

  return (
    <Page title="Verify your email">
      <Card className="max-w-lg">
        {!token ? (
          <Alert tone="error" title="This link has no token">
            Open the link from the email exactly as it was sent, or request a new one from your
            account.
          </Alert>
        ) : verify.isError ? (
          <ProblemAlert
            error={verify.error}
            title="Your email could not be verified"
            action={
              <Link to="/account" className="font-medium underline">
                Request a new link from your account
              </Link>
            }
          />
        ) : verify.isSuccess ? (
          <div className="space-y-4">
            <Alert tone="success" title="Email verified">
              Thank you: your email address is confirmed.
            </Alert>
            <Link to="/" className={buttonClass('primary')}>
              Go to the shop
            </Link>
          </div>
        ) : (
          <Loading label="Verifying…" />
        )}
      </Card>
    </Page>
  );
}

const requestSchema = z.object({ email: z.email('Enter an email address') });

/** Asks for a password reset link. The answer is the same whether or not the account exists. */
export function ForgotPasswordPage() {
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<unknown>();
  const form = useForm({ resolver: zodResolver(requestSchema), defaultValues: { email: '' } });
  const submit = form.handleSubmit(async (body) => {
    setError(undefined);
    try {
      await api.POST('/api/v1/auth/password-reset/request', { body });
      setSent(true);
    } catch (caught) {
      setError(caught);
    }
  });
  return (
    <Page title="Reset your password">
      <Card className="max-w-md">
        {sent ? (
          <Alert tone="success" title="Check your email">
            If an account uses that address, we have sent it a link to choose a new password.
          </Alert>
        ) : (
          <form onSubmit={(e) => void submit(e)} noValidate className="space-y-4">
            {error !== undefined && <ProblemAlert error={error} />}
            <Field label="Email" error={form.formState.errors.email?.message}>
              {(props) => (
                <Input {...props} type="email" autoComplete="email" {...form.register('email')} />
              )}
            </Field>
            <Button type="submit" busy={form.formState.isSubmitting} className="w-full">
              Send reset link
            </Button>
          </form>
        )}
      </Card>
    </Page>
  );
}

const resetRoute = getRouteApi('/shop/reset-password');
const resetSchema = z
  .object({ password: z.string().min(8, 'At least 8 characters').max(200), confirm: z.string() })
  .refine((v) => v.password === v.confirm, { path: ['confirm'], message: 'The passwords differ' });

/** Where the password reset email's link lands: /reset-password?token=… */
export function ResetPasswordPage() {
  const { token } = resetRoute.useSearch();
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>();
  const form = useForm({
    resolver: zodResolver(resetSchema),
    defaultValues: { password: '', confirm: '' },
  });
  const errors = form.formState.errors;
  const submit = form.handleSubmit(async ({ password }) => {
    setError(undefined);
    try {
      await api.POST('/api/v1/auth/password-reset/confirm', {
        body: { token: token ?? '', password },
      });
      setDone(true);
    } catch (caught) {
      setError(caught);
    }
  });
  return (
    <Page title="Choose a new password">
      <Card className="max-w-md">
        {!token ? (
          <Alert tone="error" title="This link has no token">
            Open the link from the email exactly as it was sent, or{' '}
            <Link to="/forgot-password" className="underline">
              request a new one
            </Link>
            .
          </Alert>
        ) : done ? (
          <div className="space-y-4">
            <Alert tone="success" title="Password changed">
              You have been logged out everywhere. Log in with your new password.
            </Alert>
            <Link to="/login" className={buttonClass('primary')}>
              Log in
            </Link>
          </div>
        ) : (
          <form onSubmit={(e) => void submit(e)} noValidate className="space-y-4">
            {error !== undefined && (
              <ProblemAlert error={error} title="The password was not changed" />
            )}
            <Field
              label="New password"
              hint="At least 8 characters"
              error={errors.password?.message}
            >
              {(props) => (
                <Input
                  {...props}
                  type="password"
                  autoComplete="new-password"
                  {...form.register('password')}
                />
              )}
            </Field>
            <Field label="Repeat the new password" error={errors.confirm?.message}>
              {(props) => (
                <Input
                  {...props}
                  type="password"
                  autoComplete="new-password"
                  {...form.register('confirm')}
                />
              )}
            </Field>
            <Button type="submit" busy={form.formState.isSubmitting} className="w-full">
              Set new password
            </Button>
          </form>
        )}
      </Card>
    </Page>
  );
}
