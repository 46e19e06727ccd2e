#pragma once
// AuthExplainer: shows how the latest digest response was computed — algorithm, realm, qop and
// every hash input with the password masked — so it can be compared with what the PBX logs.

#include "sip/authenticator.h"

#include <QPlainTextEdit>

namespace ds::ui {

class AuthExplainer final : public QPlainTextEdit {
    Q_OBJECT
public:
    explicit AuthExplainer(QWidget *parent = nullptr);

    void setExplanation(const QString &accountName, const ds::sip::AuthExplanation &explanation);

    // The text shown for one explanation (the password only ever appears masked in it).
    static QString explain(const QString &accountName, const ds::sip::AuthExplanation &explanation);
};

} // namespace ds::ui
