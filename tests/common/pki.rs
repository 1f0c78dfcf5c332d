//! A private certificate authority and a server certificate it signed for localhost and
//! 127.0.0.1, made with the `openssl` command (installed by `.ci/run`): HTTPS servers in the
//! tests that runready must trust through `SSL_CERT_FILE`, and only then.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub struct Pki {
    /// The CA's certificate (PEM): what `SSL_CERT_FILE` names to trust the server.
    pub ca: PathBuf,
    /// The server's certificate and key (PEM).
    pub cert: PathBuf,
    pub key: PathBuf,
}

pub fn private_ca(dir: &Path) -> Pki {
    let sh = |script: &str| {
        let out = std::process::Command::new("sh").arg("-c").arg(script).current_dir(dir).output().unwrap();
        assert!(out.status.success(), "{script}: {}", String::from_utf8_lossy(&out.stderr));
    };
    let ec = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
    sh(&format!("openssl req -x509 {ec} -keyout ca.key -out ca.pem -days 2 -subj '/CN=runready test CA' -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign"));
    sh(&format!("openssl req {ec} -keyout srv.key -out srv.csr -subj /CN=localhost"));
    std::fs::write(dir.join("ext.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n").unwrap();
    sh("openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 -extfile ext.cnf");
    Pki { ca: dir.join("ca.pem"), cert: dir.join("srv.pem"), key: dir.join("srv.key") }
}
