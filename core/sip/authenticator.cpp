#include "authenticator.h"

#include "header_values.h"
#include "random.h"

namespace ds::sip {

QByteArray Authenticator::newCnonce() const
{
    if (!m_fixedCnonce.isEmpty())
        return m_fixedCnonce;
    return randomHex(16);
}

Authenticator::Result Authenticator::onChallenge(const Message &response)
{
    const bool proxy = response.statusCode() == 407;
    const HeaderId id = proxy ? HeaderId::ProxyAuthenticate : HeaderId::WwwAuthenticate;
    const QByteArrayView headerName = proxy ? "Proxy-Authenticate" : "WWW-Authenticate";
    if (!response.hasHeader(id))
        return {Verdict::Malformed, QStringLiteral("the %1 response has no %2 header").arg(response.statusCode()).arg(QString::fromLatin1(headerName))};

    // Collect every Digest challenge, then keep the strongest supported one per realm.
    struct Candidate {
        AuthValue value;
        DigestAlgorithm algorithm;
    };
    QList<Candidate> best;
    QStringList unsupported;
    for (const HeaderField &h : response.headers()) {
        if (h.id != id)
            continue;
        auto values = parseAuthValues(response.value(h));
        if (!values)
            return {Verdict::Malformed, QStringLiteral("the %1 header is malformed: %2").arg(QString::fromLatin1(headerName), values.error().what)};
        for (const AuthValue &v : *values) {
            if (!equalsNoCase(v.scheme, "Digest")) {
                unsupported << QStringLiteral("scheme %1").arg(QString::fromLatin1(v.scheme));
                continue;
            }
            const auto alg = digestAlgorithmFromName(v.param("algorithm"));
            if (!alg) {
                unsupported << QStringLiteral("algorithm %1").arg(QString::fromLatin1(v.param("algorithm")));
                continue;
            }
            if (!v.has("nonce"))
                return {Verdict::Malformed, QStringLiteral("the Digest challenge has no nonce")};
            const QByteArray realm = v.param("realm");
            bool placed = false;
            for (Candidate &c : best) {
                if (c.value.param("realm") == realm) {
                    placed = true;
                    if (digestAlgorithmStrength(*alg) > digestAlgorithmStrength(c.algorithm))
                        c = {v, *alg};
                }
            }
            if (!placed)
                best.append({v, *alg});
        }
    }
    if (best.isEmpty())
        return {Verdict::Unsupported,
            QStringLiteral("the server asks for authentication dialscope cannot answer (%1)").arg(unsupported.join(QStringLiteral(", ")))};

    for (const Candidate &c : best) {
        const QByteArray realm = c.value.param("realm");
        const bool stale = equalsNoCase(c.value.param("stale"), "true");
        RealmState *st = nullptr;
        for (RealmState &s : m_realms)
            if (s.realm == realm && s.proxy == proxy)
                st = &s;
        if (st && st->credentialsSent) {
            // RFC 3261 22.2: a second challenge for a realm we answered means the credentials
            // were refused — unless the nonce was only stale (RFC 7616 3.3), answered once.
            // A nonce reused after a success that the server now refuses is answered once too,
            // as registrars that forget to say stale=true expect.
            if ((!stale && !st->provenGood) || st->staleAnswered)
                return {Verdict::WrongCredentials,
                    QStringLiteral("the server challenged again for realm \"%1\" after receiving credentials: the user name or password is wrong")
                        .arg(QString::fromUtf8(realm))};
        }
        if (!st) {
            m_realms.append(RealmState {});
            st = &m_realms.back();
        }
        const bool wasSent = st->credentialsSent;
        st->proxy = proxy;
        st->realm = realm;
        st->algorithm = c.algorithm;
        st->nonce = c.value.param("nonce");
        st->opaque = c.value.param("opaque");
        st->stale = wasSent && (stale || st->provenGood);
        st->staleAnswered = st->stale;
        st->provenGood = false;
        const QList<QByteArray> qops = c.value.param("qop").split(',');
        st->qop.clear();
        bool hasAuth = false, hasAuthInt = false;
        for (const QByteArray &q : qops) {
            const QByteArray t = q.trimmed().toLower();
            hasAuth |= t == "auth";
            hasAuthInt |= t == "auth-int";
        }
        if (c.value.has("qop") && !hasAuth && !hasAuthInt)
            return {Verdict::Unsupported,
                QStringLiteral("the challenge offers qop \"%1\"; only auth and auth-int are supported").arg(QString::fromLatin1(c.value.param("qop")))};
        st->qop = hasAuth ? "auth" : (hasAuthInt ? "auth-int" : "");
        st->nc = 0;
        st->cnonce = newCnonce();
        st->credentialsSent = false;
    }
    return {Verdict::Answered, {}};
}

QList<QPair<QByteArray, QByteArray>> Authenticator::authorize(
    QByteArrayView method, QByteArrayView uri, QByteArrayView body, QList<AuthExplanation> *explanations)
{
    QList<QPair<QByteArray, QByteArray>> out;
    for (RealmState &st : m_realms) {
        ++st.nc;
        DigestInput in;
        in.algorithm = st.algorithm;
        in.username = m_username;
        in.realm = st.realm;
        in.password = m_password;
        in.method = method.toByteArray();
        in.uri = uri.toByteArray();
        in.nonce = st.nonce;
        in.cnonce = st.cnonce;
        in.nc = st.nc;
        in.qop = st.qop;
        in.body = body.toByteArray();
        const DigestResult r = computeDigest(in);

        QByteArray v = "Digest username=" + quoted(m_username) + ", realm=" + quoted(st.realm) + ", nonce=" + quoted(st.nonce) + ", uri=" + quoted(in.uri)
            + ", response=" + quoted(r.response) + ", algorithm=" + digestAlgorithmName(st.algorithm);
        if (!st.qop.isEmpty() || digestAlgorithmIsSession(st.algorithm))
            v += ", cnonce=" + quoted(st.cnonce);
        if (!st.opaque.isEmpty())
            v += ", opaque=" + quoted(st.opaque);
        if (!st.qop.isEmpty())
            v += ", qop=" + st.qop + ", nc=" + r.ncText;
        const QByteArray name = st.proxy ? "Proxy-Authorization" : "Authorization";
        out.append({name, v});
        st.credentialsSent = true;
        if (explanations) {
            AuthExplanation e;
            e.headerName = name;
            e.algorithm = digestAlgorithmName(st.algorithm);
            e.realm = st.realm;
            e.qop = st.qop;
            e.nonce = st.nonce;
            e.cnonce = st.cnonce;
            e.opaque = st.opaque;
            e.username = m_username;
            e.method = in.method;
            e.uri = in.uri;
            e.stale = st.stale;
            e.digest = r;
            // HA1 = H(user:realm:password) answers any challenge of the realm: a password
            // equivalent. Explanations show enough of it to compare with a PBX's stored ha1
            // column, never all of it.
            const QByteArray shown = r.ha1.left(8) + "…";
            e.digest.ha1 = shown;
            e.digest.responseInput.replace(r.ha1, shown);
            explanations->append(e);
        }
    }
    return out;
}

void Authenticator::onSuccess()
{
    for (RealmState &st : m_realms) {
        st.credentialsSent = false;
        st.staleAnswered = false;
        st.stale = false;
        st.provenGood = true;
    }
}

} // namespace ds::sip
