// A question asked before an action that cannot be undone (rotating a secret, deleting a subscription).
import { Button, Modal } from '@wordpress/components';
import { __ } from '@wordpress/i18n';

export interface Confirmation {
  title: string;
  text: string;
  confirm: string;
  destructive?: boolean;
  run: () => void;
}

export function ConfirmModal({ confirmation, onClose }: { confirmation: Confirmation; onClose: () => void }) {
  return (
    <Modal title={confirmation.title} onRequestClose={onClose} className="crm-bridge-confirm">
      <p>{confirmation.text}</p>
      <div className="crm-bridge-confirm-actions">
        <Button variant="tertiary" onClick={onClose}>
          {__('Cancel', 'crm-bridge')}
        </Button>
        <Button
          variant="primary"
          isDestructive={confirmation.destructive}
          onClick={() => {
            onClose();
            confirmation.run();
          }}
        >
          {confirmation.confirm}
        </Button>
      </div>
    </Modal>
  );
}
