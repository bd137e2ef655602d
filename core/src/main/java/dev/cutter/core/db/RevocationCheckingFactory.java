package dev.cutter.core.db;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CRL;
import java.security.cert.CertStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.X509CertSelector;
import java.util.Collection;
import java.util.Properties;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.postgresql.ssl.WrappedFactory;

/**
 * The driver's TLS socket factory when a certificate revocation list is in force (libpq's
 * {@code sslcrl}): the server's chain must lead to a certificate of {@code sslrootcert}, and no
 * certificate of it may be revoked by, or missing from, the lists in the CRL file, as libpq checks
 * the whole chain. The host name is still checked by the driver under verify-full. The driver
 * instantiates this class by name with the connection's properties.
 */
public final class RevocationCheckingFactory extends WrappedFactory {

  /** The property naming the CRL file (PEM, one or more lists). */
  public static final String CRL_PROPERTY = "cutter.sslcrl";

  public RevocationCheckingFactory(Properties info) throws GeneralSecurityException, IOException {
    CertificateFactory x509 = CertificateFactory.getInstance("X.509");
    KeyStore roots = KeyStore.getInstance(KeyStore.getDefaultType());
    roots.load(null, null);
    int n = 0;
    try (InputStream in = Files.newInputStream(Path.of(info.getProperty("sslrootcert")))) {
      for (Certificate c : x509.generateCertificates(in)) {
        roots.setCertificateEntry("root-" + n++, c);
      }
    }
    Collection<? extends CRL> crls;
    try (InputStream in = Files.newInputStream(Path.of(info.getProperty(CRL_PROPERTY)))) {
      crls = x509.generateCRLs(in);
    }
    PKIXBuilderParameters params = new PKIXBuilderParameters(roots, new X509CertSelector());
    params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(crls)));
    params.setRevocationEnabled(true);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(new CertPathTrustManagerParameters(params));
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    factory = ctx.getSocketFactory();
  }
}
