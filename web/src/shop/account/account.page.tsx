import { zodResolver } from '@hookform/resolvers/zod';
import { Link } from '@tanstack/react-router';
import { useForm } from 'react-hook-form';
import { $api } from '../../api/client';
import { useChangePassword, useResendVerification } from '../../api/hooks/auth';
import { useSession } from '../../api/session';
import {
  Alert,
  Badge,
  Button,
  buttonClass,
  Card,
  Field,
  Input,
  Loading,
  Page,
  ProblemAlert,
} from '../../ui';
import { passwordChangeSchema } from './account-forms';
import { AddressBookCard } from './address-book';
import { SignInPrompt } from './sign-in-prompt';

/**
 * The signed-in customer's account: who they are, email verification, password change, and
 * their address book.
 */
export function AccountPage() {
  const session = useSession();
  const me = $api.useQuery('get', '/api/v1/me', {}, { enabled: session.status === 'signed-in' });
  const resend = useResendVerification();

  if (session.status === 'restoring') return <Loading />;
  if (session.status === 'signed-out') {
    return (
      <Page title="Your account">
        <SignInPrompt title="Log in to see your account" redirect="/account" />
      </Page>
    );
  }
  return (
    <Page title="Your account">
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Profile">
          {me.isPending ? (
            <Loading />
          ) : me.isError ? (
            <ProblemAlert error={me.error} />
          ) : (
            <div className="space-y-3 text-sm">
              <p>
                <span className="text-slate-600">Name:</span> {me.data.name}
              </p>
              <p className="flex flex-wrap items-center gap-2">
                <span className="text-slate-600">Email:</span> {me.data.email}
                {me.data.emailVerified ? (
                  <Badge tone="success">Verified</Badge>
                ) : (
                  <Badge tone="warning">Not verified</Badge>
                )}
              </p>
              {!me.data.emailVerified && (
                <div className="space-y-2">
                  <Button
                    variant="secondary"
                    busy={resend.isPending}
                    onClick={() => resend.mutate()}
                  >
                    Resend verification email
                  </Button>
                  {resend.isSuccess && (
                    <Alert tone="success">Sent. Open the link in the email to verify.</Alert>
                  )}
                  {resend.isError && <ProblemAlert error={resend.error} />}
                </div>
              )}
              <div className="flex flex-wrap gap-2 pt-2">
                <Link to="/account/orders" className={buttonClass('secondary')}>
                  Your orders
                </Link>
              </div>
            </div>
          )}
        </Card>
        <ChangePasswordCard />
        <div className="lg:col-span-2">
          <AddressBookCard />
        </div>
      </div>
    </Page>
  );
}

function ChangePasswordCard() {
  const change = useChangePassword();
  const form = useForm({
    resolver: zodResolver(passwordChangeSchema),
    defaultValues: { currentPassword: '', newPassword: '', confirm: '' },
  });
  const errors = form.formState.errors;
  const submit = form.handleSubmit(({ currentPassword, newPassword }) =>
    change.mutate({ currentPassword, newPassword }, { onSuccess: () => form.reset() }),
  );
  return (
    <Card title="Change password">
      <form onSubmit={(e) => void submit(e)} noValidate className="space-y-4">
        {change.isSuccess && <Alert tone="success">Your password was changed.</Alert>}
        {change.isError && (
          <ProblemAlert error={change.error} title="The password was not changed" />
        )}
        <Field label="Current password" error={errors.currentPassword?.message}>
          {(props) => (
            <Input
              {...props}
              type="password"
              autoComplete="current-password"
              {...form.register('currentPassword')}
            />
          )}
        </Field>
        <Field
          label="New password"
          hint="At least 8 characters"
          error={errors.newPassword?.message}
        >
          {(props) => (
            <Input
              {...props}
              type="password"
              autoComplete="new-password"
              {...form.register('newPassword')}
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
        <Button type="submit" busy={change.isPending}>
          Change password
        </Button>
      </form>
    </Card>
  );
}
