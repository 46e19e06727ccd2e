#include "kamailio_registrar.h"

#include <QCryptographicHash>
#include <QDir>

namespace ds::test {

namespace {

const QString kDomain = QStringLiteral("127.0.0.1"); // AOR domain and digest realm ($fd)

QString md5Hex(const QString &text) { return QString::fromLatin1(QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Md5).toHex()); }

// The db_text tables auth_db reads: `version` and `subscriber`, in the format of
// /usr/share/kamailio/dbtext/kamailio (Kamailio 5.6: subscriber table version 7).
// db_text takes an empty field for NULL, and ha1/ha1b are NOT NULL, so they hold
// real HA1 values even though calculate_ha1 makes Kamailio use the password column.
bool writeDbText(const QString &dir, const QList<KamailioRegistrar::Subscriber> &subscribers)
{
    QDir().mkpath(dir);
    const QString version = QStringLiteral("id(int,auto) table_name(string) table_version(int) \n"
                                           "1:subscriber:7\n");
    QString subscriber = QStringLiteral("id(int,auto) username(string) domain(string) password(string) ha1(string) "
                                        "ha1b(string) \n");
    int id = 1;
    for (const KamailioRegistrar::Subscriber &s : subscribers) {
        subscriber += QStringLiteral("%1:%2:%3:%4:%5:%6\n")
                          .arg(id++)
                          .arg(s.user, kDomain, s.password, md5Hex(s.user + u':' + kDomain + u':' + s.password),
                              md5Hex(s.user + u'@' + kDomain + u':' + kDomain + u':' + s.password));
    }
    return writeTextFile(dir + QStringLiteral("/version"), version) && writeTextFile(dir + QStringLiteral("/subscriber"), subscriber);
}

// A throw-away CA (ca.pem) and a server certificate for 127.0.0.1 (SAN IP) it signed
// (server.pem, server.key), EC P-256, in dir; false with the tool's output in *log.
bool makeCertificates(const QString &openssl, const QString &dir, QString *log)
{
    const QStringList ec {
        QStringLiteral("-newkey"), QStringLiteral("ec"), QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes")};
    const bool ca = runTool(openssl,
        QStringList {QStringLiteral("req"), QStringLiteral("-x509")} + ec
            + QStringList {QStringLiteral("-keyout"), QStringLiteral("ca.key"), QStringLiteral("-out"), QStringLiteral("ca.pem"), QStringLiteral("-days"),
                QStringLiteral("2"), QStringLiteral("-subj"), QStringLiteral("/CN=dialscope interop CA"), QStringLiteral("-addext"),
                QStringLiteral("basicConstraints=critical,CA:TRUE"), QStringLiteral("-addext"), QStringLiteral("keyUsage=critical,keyCertSign,cRLSign")},
        dir, log);
    if (!ca)
        return false;
    const bool request = runTool(openssl,
        QStringList {QStringLiteral("req"), QStringLiteral("-new")} + ec
            + QStringList {QStringLiteral("-keyout"), QStringLiteral("server.key"), QStringLiteral("-out"), QStringLiteral("server.csr"),
                QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1")},
        dir, log);
    if (!request)
        return false;
    if (!writeTextFile(dir + QStringLiteral("/server.ext"),
            QStringLiteral("basicConstraints=critical,CA:FALSE\n"
                           "keyUsage=critical,digitalSignature\n"
                           "extendedKeyUsage=serverAuth\n"
                           "subjectAltName=IP:127.0.0.1\n"
                           "subjectKeyIdentifier=hash\n"
                           "authorityKeyIdentifier=keyid\n"))) {
        *log = QStringLiteral("cannot write ") + dir + QStringLiteral("/server.ext");
        return false;
    }
    return runTool(openssl,
        {QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), QStringLiteral("server.csr"), QStringLiteral("-CA"), QStringLiteral("ca.pem"),
            QStringLiteral("-CAkey"), QStringLiteral("ca.key"), QStringLiteral("-CAcreateserial"), QStringLiteral("-out"), QStringLiteral("server.pem"),
            QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-extfile"), QStringLiteral("server.ext")},
        dir, log);
}

QString tlsConfigPath(const QString &workDir) { return workDir + QStringLiteral("/tls.cfg"); }

std::unexpected<KamailioRegistrar::Failure> failed(QString message) { return std::unexpected(KamailioRegistrar::Failure {false, std::move(message)}); }

std::unexpected<KamailioRegistrar::Failure> skipped(QString message) { return std::unexpected(KamailioRegistrar::Failure {true, std::move(message)}); }

} // namespace

KamailioRegistrar::KamailioRegistrar(QString workDir)
    : m_workDir(std::move(workDir))
{
}

KamailioRegistrar::~KamailioRegistrar() { stop(); }

KamailioRegistrar::Result KamailioRegistrar::prepare()
{
    if (!m_kamailioBin.isEmpty())
        return {};
    const QString kamailio = findProgram(QStringLiteral("kamailio"));
    if (kamailio.isEmpty())
        return skipped(QStringLiteral("kamailio not found: install the Debian packages kamailio and kamailio-tls-modules"));
    const QString openssl = findProgram(QStringLiteral("openssl"));
    if (openssl.isEmpty())
        return skipped(QStringLiteral("openssl not found: install the Debian package openssl"));

    QString log;
    if (!makeCertificates(openssl, m_workDir, &log))
        return failed(log);
    const bool tlsWritten = writeTextFile(tlsConfigPath(m_workDir),
        QStringLiteral("[server:default]\n"
                       "method = TLSv1.2+\n"
                       "verify_certificate = no\n"
                       "require_certificate = no\n"
                       "certificate = %1/server.pem\n"
                       "private_key = %1/server.key\n"
                       "\n"
                       "[client:default]\n"
                       "method = TLSv1.2+\n"
                       "verify_certificate = no\n"
                       "require_certificate = no\n")
            .arg(m_workDir));
    if (!tlsWritten)
        return failed(QStringLiteral("cannot write ") + tlsConfigPath(m_workDir));

    // The TLS module comes in its own package, and without it the config cannot load.
    const QString checkDir = m_workDir + QStringLiteral("/check");
    const auto cfg = writeConfig(checkDir, QStringLiteral("MD5"), {});
    if (!cfg)
        return std::unexpected(cfg.error());
    if (!runTool(kamailio, {QStringLiteral("-c"), QStringLiteral("-f"), *cfg, QStringLiteral("-Y"), checkDir + QStringLiteral("/run")}, checkDir, &log)) {
        if (log.contains(u"could not find module <tls>"))
            return skipped(QStringLiteral("Kamailio has no tls module: install the Debian package kamailio-tls-modules"));
        return failed(log);
    }
    m_kamailioBin = kamailio;
    return {};
}

KamailioRegistrar::Result KamailioRegistrar::start(const QString &algorithm, const QList<Subscriber> &subscribers, const QString &caseDir)
{
    m_kamailio.reset(); // stops it
    if (const Result prepared = prepare(); !prepared)
        return prepared;
    const auto cfg = writeConfig(caseDir, algorithm, subscribers);
    if (!cfg)
        return std::unexpected(cfg.error());

    // -DD: stay in the foreground (workers are still forked); -E: log to stderr.
    const QStringList args {QStringLiteral("-f"), *cfg, QStringLiteral("-DD"), QStringLiteral("-E"), QStringLiteral("-Y"), caseDir + QStringLiteral("/run"),
        QStringLiteral("-P"), caseDir + QStringLiteral("/kamailio.pid"), QStringLiteral("-w"), caseDir, QStringLiteral("-m"), QStringLiteral("64"),
        QStringLiteral("-M"), QStringLiteral("8")};
    m_kamailio = std::make_unique<PeerProcess>(QStringLiteral("kamailio"), caseDir + QStringLiteral("/kamailio.log"));
    if (!m_kamailio->start(m_kamailioBin, args, caseDir,
            {{ReadyProbe::SipOptionsUdp, m_sipPort}, {ReadyProbe::SipOptionsTcp, m_sipPort}, {ReadyProbe::TcpAccepts, m_tlsPort}}))
        return failed(m_kamailio->errorString());
    return {};
}

void KamailioRegistrar::stop()
{
    if (m_kamailio)
        m_kamailio->stop();
}

QString KamailioRegistrar::caFile() const { return m_workDir + QStringLiteral("/ca.pem"); }

QString KamailioRegistrar::logTail(int maxChars) const
{
    if (!m_kamailio)
        return {};
    return QStringLiteral("Kamailio: %1\n--- log %2:\n%3").arg(m_kamailio->commandLine(), m_kamailio->logPath(), m_kamailio->logTail(maxChars));
}

QString KamailioRegistrar::log() const { return m_kamailio ? readTextFile(m_kamailio->logPath()) : QString(); }

std::expected<QString, KamailioRegistrar::Failure> KamailioRegistrar::writeConfig(
    const QString &dir, const QString &algorithm, const QList<Subscriber> &subscribers)
{
    m_sipPort = freePort(PortKind::UdpAndTcp);
    m_tlsPort = freePort(PortKind::Tcp);
    if (m_sipPort == 0 || m_tlsPort == 0)
        return failed(QStringLiteral("no free port on 127.0.0.1"));
    if (!writeDbText(dir + QStringLiteral("/db"), subscribers))
        return failed(QStringLiteral("cannot write the db_text tables in ") + dir);
    const QString templ = readTextFile(QStringLiteral(DS_INTEROP_DIR "/kamailio/registrar.cfg"));
    if (templ.isEmpty())
        return failed(QStringLiteral("cannot read " DS_INTEROP_DIR "/kamailio/registrar.cfg"));
    const QString cfg = dir + QStringLiteral("/kamailio.cfg");
    const bool written = writeTextFile(cfg,
        fillTemplate(templ,
            {{QStringLiteral("UDP_PORT"), QString::number(m_sipPort)}, {QStringLiteral("TCP_PORT"), QString::number(m_sipPort)},
                {QStringLiteral("TLS_PORT"), QString::number(m_tlsPort)}, {QStringLiteral("DB_DIR"), dir + QStringLiteral("/db")},
                {QStringLiteral("TLS_CFG"), tlsConfigPath(m_workDir)}, {QStringLiteral("ALGORITHM"), algorithm}}));
    if (!written)
        return failed(QStringLiteral("cannot write ") + cfg);
    QDir().mkpath(dir + QStringLiteral("/run"));
    return cfg;
}

} // namespace ds::test
