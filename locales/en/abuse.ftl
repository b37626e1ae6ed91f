# Server refusals from its abuse limits (issue #12). Nothing is lost in any of them: the records stay on this device.
error-refused-over-limit = The server refused a change that is larger or more deeply nested than Senda ever makes. Nothing was lost; update Senda on this device and tell the administrator.
error-refused-bad-operation = The server refused a change whose shape Senda never makes. Nothing was lost; update Senda on this device and tell the administrator.
error-refused-quota-exceeded = This device has stored as much as the server allows one device. Nothing was lost: the records wait here. Tell the administrator.
error-refused-too-many-waiting = Too many of this device's changes wait on the server for earlier ones that never arrived. Nothing was lost: the records wait here. Tell the administrator.
