export function SignInPage() {
  return (
    <main id="contenu" class="page">
      <h1>Console d’audit</h1>
      <p>
        Cette console permet aux auditeurs de savoir qui a consulté, délivré ou modifié une ordonnance, quand et depuis
        quelle structure, et aux opérateurs de suivre les files de traitement.
      </p>
      <p>
        Connectez-vous avec votre carte ou e-CPS (Pro Santé Connect). Seuls les rôles auditeur et opérateur y ont accès.
      </p>
      <p>
        <a class="button" id="sign-in" href="/console/auth/login">
          Se connecter
        </a>
      </p>
    </main>
  );
}
