import { zodResolver } from '@hookform/resolvers/zod';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useEffect, useRef } from 'react';
import { useForm } from 'react-hook-form';
import {
  useConfirmPasswordReset,
  useRequestPasswordReset,
  useVerifyEmail,
} from '../../api/hooks/auth';
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
import { resetRequestSchema, resetSchema } from './account-forms';

const verifyRoute = getRouteApi('/shop/verify-email');

/** Where the verification email's link lands: /verify-email?token=… */
export function VerifyEmailPage() {
  const { token } = verifyRoute.useSearch();
  const verify = useVerifyEmail();
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

/** Asks for a password reset link. The answer is the same whether or not the account exists. */
export function ForgotPasswordPage() {
  const request = useRequestPasswordReset();
  const form = useForm({ resolver: zodResolver(resetRequestSchema), defaultValues: { email: '' } });
  const submit = form.handleSubmit(({ email }) => request.mutate(email));
  return (
    <Page title="Reset your password">
      <Card className="max-w-md">
        {request.isSuccess ? (
          <Alert tone="success" title="Check your email">
            If an account uses that address, we have sent it a link to choose a new password.
          </Alert>
        ) : (
          <form onSubmit={(e) => void submit(e)} noValidate className="space-y-4">
            {request.isError && <ProblemAlert error={request.error} />}
            <Field label="Email" error={form.formState.errors.email?.message}>
              {(props) => (
                <Input {...props} type="email" autoComplete="email" {...form.register('email')} />
              )}
            </Field>
            <Button type="submit" busy={request.isPending} className="w-full">
              Send reset link
            </Button>
          </form>
        )}
      </Card>
    </Page>
  );
}

const resetRoute = getRouteApi('/shop/reset-password');
/** Where the password reset email's link lands: /reset-password?token=… */
export function ResetPasswordPage() {
  const { token } = resetRoute.useSearch();
  const confirm = useConfirmPasswordReset();
  const form = useForm({
    resolver: zodResolver(resetSchema),
    defaultValues: { password: '', confirm: '' },
  });
  const errors = form.formState.errors;
  const submit = form.handleSubmit(({ password }) =>
    confirm.mutate({ token: token ?? '', password }),
  );
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
        ) : confirm.isSuccess ? (
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
            {confirm.isError && (
              <ProblemAlert error={confirm.error} title="The password was not changed" />
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
            <Button type="submit" busy={confirm.isPending} className="w-full">
              Set new password
            </Button>
          </form>
        )}
      </Card>
    </Page>
  );
}
