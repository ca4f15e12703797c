package dev.metacluster.master.journal;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.metacluster.master.proto.JournalEntry;
import dev.metacluster.master.proto.NamespaceCommand;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/** Turns our protobuf messages into Ratis messages and back (Ratis ships its own protobuf). */
public final class JournalCodec {
  /**
   * The journal entry format this master writes. A master applies entries up to this version and
   * refuses newer ones (it would otherwise apply them wrongly).
   */
  public static final int FORMAT_VERSION = 1;

  private JournalCodec() {}

  public static Message entry(NamespaceCommand command) {
    return message(
        JournalEntry.newBuilder().setFormatVersion(FORMAT_VERSION).setCommand(command).build());
  }

  public static Message message(com.google.protobuf.MessageLite proto) {
    return Message.valueOf(UnsafeByteOperations.unsafeWrap(proto.toByteArray()));
  }

  public static JournalEntry parseEntry(ByteString data) throws InvalidProtocolBufferException {
    JournalEntry entry = JournalEntry.parseFrom(data.asReadOnlyByteBuffer());
    if (entry.getFormatVersion() > FORMAT_VERSION) {
      throw new UnsupportedJournalFormatException(entry.getFormatVersion());
    }
    return entry;
  }

  /** A log entry written by a newer master than this one. */
  public static final class UnsupportedJournalFormatException extends IllegalStateException {
    UnsupportedJournalFormatException(int version) {
      super(
          "journal entry has format version "
              + version
              + " but this master applies up to "
              + FORMAT_VERSION
              + "; upgrade this master before it rejoins");
    }
  }
}
