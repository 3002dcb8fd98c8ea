package io.protogate.server;

import io.grpc.TlsServerCredentials;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;

/**
 * A server's certificate chain and private key, read and checked before the server starts: the
 * TLS stack reads them only at the first handshake, so a key of another certificate would start a
 * server on which every handshake fails. Reads unencrypted PKCS#8 keys ({@code BEGIN PRIVATE
 * KEY}) and PKCS#1 RSA keys ({@code BEGIN RSA PRIVATE KEY}, which OpenSSL long wrote by default
 * and the JDK cannot read); refuses others naming the file and the command that converts them.
 * The gRPC port and the HTTP port read their identity through it, so both accept the same files.
 */
public final class ServerKeyPair {
  private static final Pattern PEM = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
  /** A key file is a few KiB; anything much larger is the wrong file. */
  private static final long MAX_KEY_BYTES = 1 << 20;
  /** The signature that proves a private key is the certificate's, by public key algorithm. */
  private static final Map<String, String> PROOF = Map.of(
      "RSA", "SHA256withRSA", "EC", "SHA256withECDSA", "EdDSA", "EdDSA", "Ed25519", "Ed25519",
      "Ed448", "Ed448");

  private final X509Certificate[] chain;
  private final PrivateKey privateKey;

  private ServerKeyPair(X509Certificate[] chain, PrivateKey privateKey) {
    this.chain = chain;
    this.privateKey = privateKey;
  }

  /** Key managers presenting this chain and key, for a TLS stack of the JDK's. */
  public KeyManager[] keyManagers() {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      char[] password = new char[0];
      store.setKeyEntry("protogate", privateKey, password, chain);
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password);
      return keys.getKeyManagers();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("every JDK keeps a checked key pair in PKCS12", e);
    }
  }

  /** Sets {@code certChain} and {@code keyFile} as the server's identity on {@code tls}. */
  static void apply(File certChain, File keyFile, TlsServerCredentials.Builder tls) {
    tls.keyManager(read(certChain, keyFile).keyManagers());
  }

  /**
   * Reads {@code certChain} and {@code keyFile} and checks that the key is the certificate's;
   * throws {@link IllegalArgumentException} naming the file and the fix when they cannot serve.
   */
  public static ServerKeyPair read(File certChain, File keyFile) {
    byte[] chain = read(certChain);
    X509Certificate[] certificates = certificates(certChain, chain);
    PublicKey publicKey = certificates[0].getPublicKey();
    byte[] pkcs8 = pkcs8(keyFile, new String(read(keyFile), StandardCharsets.US_ASCII));
    PrivateKey privateKey;
    try {
      privateKey = KeyFactory.getInstance(publicKey.getAlgorithm())
          .generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("TLS key " + keyFile + " is not a " + publicKey
          .getAlgorithm() + " key, as certificate " + certChain + " needs: give the key the"
          + " certificate was made for", e);
    }
    if (!belongTogether(publicKey, privateKey)) {
      throw new IllegalArgumentException("TLS key " + keyFile + " does not belong to certificate "
          + certChain + " (the certificate holds another public key): give the key the"
          + " certificate was made for");
    }
    return new ServerKeyPair(certificates, privateKey);
  }

  private static byte[] read(File file) {
    try {
      if (file.length() > MAX_KEY_BYTES) {
        throw new IllegalArgumentException(file + ": " + file.length() + " bytes, too large for a"
            + " PEM certificate or key; is this the right file?");
      }
      try (InputStream in = Files.newInputStream(file.toPath())) {
        return in.readNBytes((int) MAX_KEY_BYTES);
      }
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("cannot read TLS file " + file + ": no such file", e);
    } catch (AccessDeniedException e) {
      throw new IllegalArgumentException("cannot read TLS file " + file + ": permission denied",
          e);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read TLS file " + file + ": " + e.getMessage(),
          e);
    }
  }

  /** The certificates of the chain, the server's own first. */
  private static X509Certificate[] certificates(File file, byte[] chain) {
    Collection<? extends Certificate> certificates;
    try {
      certificates = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(chain));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("TLS certificate " + file + " is not a PEM certificate"
          + " chain: " + e.getMessage(), e);
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("TLS certificate " + file + " holds no certificate"
          + " (expected PEM: -----BEGIN CERTIFICATE-----)");
    }
    return certificates.toArray(X509Certificate[]::new);
  }

  /** The key in {@code pem} as PKCS#8 DER. */
  private static byte[] pkcs8(File file, String pem) {
    String convert = "convert it with: openssl pkcs8 -topk8 -nocrypt -in " + file + " -out "
        + file + ".pk8, and give " + file + ".pk8";
    Matcher block = PEM.matcher(pem);
    while (block.find()) {
      String label = block.group(1);
      String body = block.group(2);
      if (!label.endsWith("PRIVATE KEY")) {
        continue;
      }
      if (label.equals("ENCRYPTED PRIVATE KEY") || body.contains("Proc-Type: 4,ENCRYPTED")) {
        throw new IllegalArgumentException("TLS key " + file + " is encrypted, and Protogate"
            + " reads only unencrypted keys: " + convert);
      }
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(body);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("TLS key " + file + " is not valid PEM: "
            + e.getMessage(), e);
      }
      return switch (label) {
        case "PRIVATE KEY" -> der;
        case "RSA PRIVATE KEY" -> rsaPkcs8(der);
        default -> throw new IllegalArgumentException("TLS key " + file + " holds a '" + label
            + "', which Protogate cannot read: " + convert);
      };
    }
    throw new IllegalArgumentException("TLS key " + file + " holds no PEM private key (expected"
        + " -----BEGIN PRIVATE KEY-----)");
  }

  /**
   * Wraps a PKCS#1 RSAPrivateKey in the PKCS#8 PrivateKeyInfo the JDK reads: {@code SEQUENCE {
   * INTEGER 0, SEQUENCE { OID rsaEncryption, NULL }, OCTET STRING pkcs1 }}. Fixed bytes around the
   * original, so a library (BouncyCastle, megabytes) would add more than it saves.
   */
  private static byte[] rsaPkcs8(byte[] pkcs1) {
    byte[] versionAndAlgorithm = {
      0x02, 0x01, 0x00, // INTEGER 0
      0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
      0x01, 0x05, 0x00 // SEQUENCE { OID 1.2.840.113549.1.1.1, NULL }
    };
    ByteArrayOutputStream key = new ByteArrayOutputStream();
    key.write(0x04);
    writeLength(key, pkcs1.length);
    key.writeBytes(pkcs1);
    ByteArrayOutputStream info = new ByteArrayOutputStream();
    info.write(0x30);
    writeLength(info, versionAndAlgorithm.length + key.size());
    info.writeBytes(versionAndAlgorithm);
    info.writeBytes(key.toByteArray());
    return info.toByteArray();
  }

  /** A DER length: one byte below 128, else 0x80 + the count of big-endian bytes that follow. */
  private static void writeLength(ByteArrayOutputStream out, int length) {
    if (length < 0x80) {
      out.write(length);
      return;
    }
    int bytes = (Integer.SIZE - Integer.numberOfLeadingZeros(length) + 7) / 8;
    out.write(0x80 | bytes);
    for (int i = bytes - 1; i >= 0; i--) {
      out.write(length >>> (8 * i));
    }
  }

  /** Signs with the private key and verifies with the public one. */
  private static boolean belongTogether(PublicKey publicKey, PrivateKey privateKey) {
    String algorithm = PROOF.get(publicKey.getAlgorithm());
    if (algorithm == null) {
      return true; // An unusual algorithm: the handshake will tell.
    }
    try {
      byte[] challenge = "protogate".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
