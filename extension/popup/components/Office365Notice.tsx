import { i18n } from '#i18n';

/** What a rep should know before handing over a Microsoft password, said plainly. */
export function Office365Notice() {
  return (
    <section className="facts" aria-labelledby="o365-facts">
      <h3 id="o365-facts">{i18n.t('popup.office365.factsHeading')}</h3>
      <ul>
        <li>{i18n.t('popup.office365.facts.easy')}</li>
        <li>{i18n.t('popup.office365.facts.personal')}</li>
        <li>{i18n.t('popup.office365.facts.limits')}</li>
        <li>{i18n.t('popup.office365.facts.bulk')}</li>
        <li>{i18n.t('popup.office365.facts.password')}</li>
      </ul>
      <p className="facts-warning" data-testid="basic-auth-warning">
        {i18n.t('office365.setup.passwordWarning')}
      </p>
    </section>
  );
}
